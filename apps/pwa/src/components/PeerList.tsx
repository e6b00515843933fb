import type { PeerInfo } from 'mesh-core'
import { shortId } from '../peers/peer-names'
import { CapChips } from './CapChips'

interface PeerListProps {
  peers: PeerInfo[]
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

function PeerRow({ peer, onMessage }: { peer: PeerInfo; onMessage: (id: string) => void }) {
  return (
    <li
      className="peer"
      data-testid="peer-row"
      data-peer-id={peer.id}
      data-peer-name={peer.name}
      data-link={peer.link}
      data-status={peer.status}
      data-role={peer.role}
    >
      <div className="peer-head">
        <span className="peer-name">{peer.name}</span>
        <span className={`status status-${peer.status}`}>{peer.status}</span>
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
          <dt>RTT</dt>
          <dd className="numeric">{formatRtt(peer.rttMs)}</dd>
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
export function PeerList({ peers, onMessage }: PeerListProps) {
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
            <PeerRow key={peer.id} peer={peer} onMessage={onMessage} />
          ))}
        </ul>
      )}
    </section>
  )
}
