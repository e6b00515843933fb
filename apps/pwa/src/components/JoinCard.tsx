import { useQrCode } from '../hooks/useQrCode'

/** A QR code of this console's address, so a phone can scan it and join the mesh. */
export function JoinCard({ url }: { url: string }) {
  const qr = useQrCode(url)
  return (
    <section className="card join" aria-labelledby="join-heading">
      <h2 id="join-heading">Join from a phone</h2>
      <p className="muted">Scan with a phone camera on the same network.</p>
      {qr !== undefined && (
        <img
          className="qr"
          src={qr}
          width={160}
          height={160}
          alt={`QR code for ${url}`}
          data-testid="join-qr"
        />
      )}
      <a className="join-url" href={url}>
        {url}
      </a>
    </section>
  )
}
