import { toDataURL } from 'qrcode'
import { useEffect, useState } from 'react'

/** Pixels across the generated image; CSS scales it down on small screens. */
const qrSizePx = 320

/** A PNG data URL of a QR code for `text`, or `undefined` while it renders or if it failed. */
export function useQrCode(text: string): string | undefined {
  const [dataUrl, setDataUrl] = useState<string>()
  useEffect(() => {
    let current = true
    toDataURL(text, { width: qrSizePx, margin: 2, errorCorrectionLevel: 'M' }).then(
      (url) => {
        if (current) setDataUrl(url)
      },
      () => {
        // Only an over-long text fails; the card then shows the link alone.
        if (current) setDataUrl(undefined)
      }
    )
    return () => {
      current = false
    }
  }, [text])
  return dataUrl
}
