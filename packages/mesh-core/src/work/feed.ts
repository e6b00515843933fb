import type { DirectoryEntry } from '../actors/directory.ts'
import type { Emitter } from '../events.ts'
import type { Membership } from '../membership/membership.ts'
import type { Work } from './work.ts'

/**
 * Feeds membership and record changes to the work layer: directory changes (names,
 * supervised children) coalesced per tick, joins and health changes, and departures.
 */
export class WorkFeed {
  private readonly last = new Map<string, string>()
  private queued = false

  constructor(
    private readonly work: Work,
    private readonly isStopped: () => boolean
  ) {}

  attach(emitter: Emitter): void {
    emitter.on('peer:join', () => this.work.membershipChanged())
    emitter.on('peer:status', () => this.work.membershipChanged())
    emitter.on('peer:leave', ({ id, reason }) => {
      if (this.last.delete(id)) this.queue()
      this.work.peerDown(id, reason)
    })
  }

  /** A peer's record arrived: look again only when its directory entry changed. */
  record(peer: string, dir: DirectoryEntry | undefined): void {
    const key = dir === undefined ? '' : JSON.stringify(dir)
    if ((this.last.get(peer) ?? '') === key) return
    if (key === '') this.last.delete(peer)
    else this.last.set(peer, key)
    this.queue()
  }

  private queue(): void {
    if (this.queued) return
    this.queued = true
    queueMicrotask(() => {
      this.queued = false
      if (!this.isStopped()) this.work.directoryChanged()
    })
  }
}

/** The directory entries of live peers, from their records. */
export function* directoryOf(membership: Membership): Iterable<[string, DirectoryEntry]> {
  for (const id of membership.ids()) {
    const dir = membership.get(id)?.record.dir
    yield [id, dir ?? { names: {}, children: [] }]
  }
}
