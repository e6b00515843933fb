import type { ConnectionState } from 'mesh-core'

const descriptions: Record<ConnectionState, string> = {
  connecting: 'Looking for the mesh',
  online: 'Connected to the mesh',
  offline: 'No route to the mesh',
  stopped: 'This peer is not running'
}

/** The connection state word, coloured; the word itself is a test hook. */
export function ConnectionBadge({ state }: { state: ConnectionState }) {
  return (
    <p className="connection" role="status" title={descriptions[state]}>
      <span className={`dot dot-${state}`} aria-hidden="true" />
      <span className="visually-hidden">Connection: </span>
      <span data-testid="conn-state">{state}</span>
    </p>
  )
}
