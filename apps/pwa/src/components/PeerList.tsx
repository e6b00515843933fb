import type { PeerInfo } from 'mesh-core'
import { shortId } from '../peers/peer-names'
import { CapChips } from './CapChips'
import { CoordinatorBadge } from './CoordinatorBadge'
import { Sparkline } from './Sparkline'

interface PeerListProps {
  peers: PeerInfo[]
  /** The peer id of the elected coordinator. */
  coordinator: string | undefined
  /** Opens the messages panel on this peer; absent for peers that cannot chat. */
  onMessage: (id: string) => void
}

function formatRtt(rttMs: number | undefined): string {
  return rttMs === undefined ? '—' : `${rttMs.toFixed(1)} ms`
}

/** Relays forward traffic but run no console, so there is no one to chat with. */
export function canChat(peer: PeerInfo): boolean {
  return peer.role !== 'relay'
}

interface PeerRowProps {
  peer: PeerInfo
  coordinator: boolean
  onMessage: (id: string) => void
}

function PeerRow({ peer, coordinator, onMessage }: PeerRowProps) {
  return (
    <li
      className="peer"
      data-testid="peer-row"
      data-peer-id={peer.id}
      data-peer-name={peer.name}
      data-link={peer.link}
      data-status={peer.status}
      data-role={peer.role}
      data-quality={peer.quality}
      data-coordinator={String(coordinator)}
    >
      <div className="peer-head">
        <span className="peer-name">{peer.name}</span>
        {coordinator && <CoordinatorBadge />}
        <span className={`status status-${peer.status}`} data-testid="peer-status">
          {peer.status}
        </span>
      </div>
      <dl className="peer-facts">
        <div>
          <dt>id</dt>
          <dd>
            <code title={peer.id}>{shortId(peer.id)}</code>
          </dd>
        </div>
        <div>
          <dt>role</dt>
          <dd>{peer.role}</dd>
        </div>
        <div>
          <dt>link</dt>
          <dd>{peer.link}</dd>
        </div>
        <div>
          <dt>quality</dt>
          <dd className={`quality quality-${peer.quality}`} data-testid="peer-quality">
            {peer.quality}
          </dd>
        </div>
        <div className="peer-rtt">
          <dt>RTT</dt>
          <dd className="numeric">{formatRtt(peer.rttMs)}</dd>
          <dd>
            <Sparkline values={peer.rttHistory} />
          </dd>
        </div>
      </dl>
      <CapChips capabilities={peer.capabilities} />
      {canChat(peer) && (
        <button type="button" className="button button-small" onClick={() => onMessage(peer.id)}>
          Message <span className="visually-hidden">{peer.name}</span>
        </button>
      )}
    </li>
  )
}

/** The live peer table. */
export function PeerList({ peers, coordinator, onMessage }: PeerListProps) {
  return (
    <section className="card card-wide" aria-labelledby="peers-heading">
      <h2 id="peers-heading">
        Peers <span className="count">{peers.length}</span>
      </h2>
      {peers.length === 0 ? (
        <p className="muted">No other peers yet. Open this page on another device to add one.</p>
      ) : (
        <ul className="peers">
          {peers.map((peer) => (
            <PeerRow key={peer.id} peer={peer} coordinator={peer.id === coordinator} onMessage={onMessage} />
          ))}
        </ul>
      )}
    </section>
  )
}
