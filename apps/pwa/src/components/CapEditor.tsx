import { useId, useState } from 'react'
import type { FormEvent } from 'react'
import type { Capabilities } from 'mesh-core'
import { editableCapabilities, removeCapability, setCapability } from '../capabilities/own-capabilities'
import type { OwnCapabilitiesComponents } from '../capabilities/own-capabilities'
import { formatCapability } from '../config/capabilities'

interface CapEditorProps {
  /** Where changes are advertised. */
  mesh: OwnCapabilitiesComponents
  /** Our capabilities as last advertised, `tasks` included (it is not listed). */
  capabilities: Capabilities
}

/** Why a change was refused: the error's class name (for tests) and what to show. */
interface Refusal {
  name: string
  message: string
}

function refusal(err: unknown): Refusal {
  if (err instanceof Error) return { name: err.name, message: err.message || err.name }
  return { name: 'Error', message: String(err) }
}

function RemoveIcon() {
  return (
    <svg viewBox="0 0 12 12" width={12} height={12} aria-hidden="true">
      <path d="M3 3l6 6M9 3l-6 6" stroke="currentColor" strokeWidth={1.6} strokeLinecap="round" />
    </svg>
  )
}

/**
 * "My capabilities": lists what this peer advertises and adds, updates or withdraws one
 * at a time. Every change goes to every peer through `mesh.advertise`.
 */
export function CapEditor({ mesh, capabilities }: CapEditorProps) {
  const [key, setKey] = useState('')
  const [value, setValue] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<Refusal>()
  const ids = useId()
  const entries = editableCapabilities(capabilities)

  /** Runs one change; resolves to whether mesh-core accepted it. */
  const run = async (change: () => Promise<void>): Promise<boolean> => {
    setBusy(true)
    try {
      await change()
      setError(undefined)
      return true
    } catch (err) {
      setError(refusal(err))
      return false
    } finally {
      setBusy(false)
    }
  }

  const submit = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault()
    void run(() => setCapability(mesh, key, value)).then((ok) => {
      if (!ok) return
      setKey('')
      setValue('')
    })
  }

  return (
    <div className="cap-editor">
      <h3 id={`${ids}-heading`}>My capabilities</h3>
      {entries.length === 0 ? (
        <p className="muted">None advertised.</p>
      ) : (
        <ul className="chips" aria-labelledby={`${ids}-heading`}>
          {entries.map(([k, v]) => (
            <li key={k} className="chip chip-removable" data-testid="own-cap">
              {formatCapability(k, v)}
              <button
                type="button"
                className="chip-remove"
                data-testid="own-cap-remove"
                aria-label={`Remove ${k}`}
                title={`Remove ${k}`}
                disabled={busy}
                onClick={() => void run(() => removeCapability(mesh, k))}
              >
                <RemoveIcon />
              </button>
            </li>
          ))}
        </ul>
      )}
      <form className="cap-form" onSubmit={submit}>
        <label htmlFor={`${ids}-key`}>Key</label>
        <input
          id={`${ids}-key`}
          data-testid="cap-key"
          type="text"
          autoComplete="off"
          autoCapitalize="off"
          spellCheck={false}
          placeholder="gpu"
          value={key}
          onChange={(event) => setKey(event.target.value)}
        />
        <label htmlFor={`${ids}-value`}>Value</label>
        <input
          id={`${ids}-value`}
          data-testid="cap-value"
          type="text"
          autoComplete="off"
          autoCapitalize="off"
          spellCheck={false}
          placeholder="2, true, linux or a,b"
          value={value}
          onChange={(event) => setValue(event.target.value)}
        />
        <button type="submit" className="button button-small" data-testid="cap-add" disabled={busy}>
          Set
        </button>
      </form>
      {error !== undefined && (
        <p className="cap-error" role="alert" data-testid="cap-error" data-error={error.name}>
          {error.message}
        </p>
      )}
    </div>
  )
}
