import { useEffect, useState } from 'react'

/** How long the button says "Copied" after a copy. */
const copiedForMs = 1_500

interface CopyButtonProps {
  text: string
  /** What is copied, for screen readers: "Copy peer id". */
  label: string
}

/** Copies `text` to the clipboard, where the page is allowed to (a secure context). */
export function CopyButton({ text, label }: CopyButtonProps) {
  const [outcome, setOutcome] = useState<'idle' | 'copied' | 'failed'>('idle')
  useEffect(() => {
    if (outcome === 'idle') return
    const timer = window.setTimeout(() => setOutcome('idle'), copiedForMs)
    return () => window.clearTimeout(timer)
  }, [outcome])

  const copy = (): void => {
    // navigator.clipboard is missing outside secure contexts (a phone on http://192.168.x.y).
    if (!window.isSecureContext) {
      setOutcome('failed')
      return
    }
    navigator.clipboard.writeText(text).then(
      () => setOutcome('copied'),
      () => setOutcome('failed')
    )
  }

  return (
    <button type="button" className="button button-small" onClick={copy} aria-label={label}>
      <span aria-live="polite">
        {outcome === 'copied' ? 'Copied' : outcome === 'failed' ? 'Select to copy' : 'Copy'}
      </span>
    </button>
  )
}
