import type { Capabilities } from 'mesh-core'
import type { OwnCapabilitiesComponents } from '../capabilities/own-capabilities'
import { CapEditor } from './CapEditor'
import { CoordinatorBadge } from './CoordinatorBadge'
import { CopyButton } from './CopyButton'

interface SelfCardProps {
  id: string | undefined
  name: string | undefined
  /** The peer failed to start, so there is no id to wait for. */
  failed: boolean
  /** The running peer, whose capabilities the editor changes. */
  mesh: OwnCapabilitiesComponents | undefined
  /** Our own capabilities, as last advertised. */
  capabilities: Capabilities
  /** Whether this peer is the elected coordinator. */
  coordinator: boolean
}

/** This peer: its name, its full id (other tools need it) and what it advertises. */
export function SelfCard({ id, name, failed, mesh, capabilities, coordinator }: SelfCardProps) {
  return (
    <section
      className="card"
      aria-labelledby="self-heading"
      data-testid="self-card"
      data-coordinator={String(coordinator)}
    >
      <div className="card-head">
        <h2 id="self-heading">This peer</h2>
        {coordinator && <CoordinatorBadge />}
      </div>
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
      {mesh !== undefined && <CapEditor mesh={mesh} capabilities={capabilities} />}
    </section>
  )
}
