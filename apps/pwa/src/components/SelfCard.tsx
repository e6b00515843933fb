import { CopyButton } from './CopyButton'

interface SelfCardProps {
  id: string | undefined
  name: string | undefined
  /** The peer failed to start, so there is no id to wait for. */
  failed: boolean
}

/** This peer: its name and its full id, which other tools need to address it. */
export function SelfCard({ id, name, failed }: SelfCardProps) {
  return (
    <section className="card" aria-labelledby="self-heading">
      <h2 id="self-heading">This peer</h2>
      {id === undefined ? (
        <p className="muted">{failed ? 'Not running.' : 'Starting…'}</p>
      ) : (
        <dl className="facts">
          <dt>Name</dt>
          <dd data-testid="self-name">{name}</dd>
          <dt>Peer id</dt>
          <dd className="self-id">
            <code data-testid="self-id">{id}</code>
            <CopyButton text={id} label="Copy peer id" />
          </dd>
        </dl>
      )}
    </section>
  )
}
