import type { Stream } from '@libp2p/interface'
import { MAX_RECORDS_PER_SYNC } from '../constants.ts'
import { BadMessageError } from '../errors.ts'
import { FramedChannel } from '../wire/channel.ts'

/**
 * The frames of `/mesh/registry/1.0.0` (anti-entropy by digest):
 *   opener → { t: 'digest', d: [[peer, seq], …] }
 *   responder → { t: 'records', recs: [envelope, …], want: [peer, …] }
 *   opener → { t: 'records', recs: [envelope, …], want: [] }
 * Each side sends only what the other lacks or holds an older version of.
 */
export type SyncFrame =
  { t: 'digest'; d: Array<[string, number]> } | { t: 'records'; recs: Uint8Array[]; want: string[] }

export const SYNC_TIMEOUT_MS = 10_000

/** What one side of a sync needs from the registry. */
export interface SyncStore {
  digest(): Array<[string, number]>
  /** Envelopes the remote lacks, given its digest, and the peers whose records we want. */
  compare(remote: Map<string, number>): { recs: Uint8Array[]; want: string[] }
  envelopesOf(peers: string[]): Uint8Array[]
  merge(recs: Uint8Array[], via: string): Promise<void>
}

function isPeerList(v: unknown): v is string[] {
  return (
    Array.isArray(v) &&
    v.length <= MAX_RECORDS_PER_SYNC &&
    v.every((p) => typeof p === 'string' && p.length <= 128)
  )
}

/** Validate one inbound sync frame. */
export function parseSyncFrame(v: unknown): SyncFrame {
  const f = v as { t?: unknown; d?: unknown; recs?: unknown; want?: unknown } | null
  if (typeof f !== 'object' || f === null) throw new BadMessageError('registry frame must be a map')
  if (f.t === 'digest') {
    if (!Array.isArray(f.d) || f.d.length > MAX_RECORDS_PER_SYNC) throw new BadMessageError('bad digest')
    for (const e of f.d) {
      if (
        !Array.isArray(e) ||
        e.length !== 2 ||
        typeof e[0] !== 'string' ||
        e[0].length > 128 ||
        !Number.isSafeInteger(e[1])
      ) {
        throw new BadMessageError('bad digest entry')
      }
    }
    return { t: 'digest', d: f.d as Array<[string, number]> }
  }
  if (f.t === 'records') {
    if (!Array.isArray(f.recs) || f.recs.length > MAX_RECORDS_PER_SYNC)
      throw new BadMessageError('bad records')
    if (!f.recs.every((r) => r instanceof Uint8Array)) throw new BadMessageError('a record must be bytes')
    if (!isPeerList(f.want)) throw new BadMessageError('bad want list')
    return { t: 'records', recs: f.recs, want: f.want }
  }
  throw new BadMessageError(`unknown registry frame ${JSON.stringify(f.t)?.slice(0, 40)}`)
}

/** Run one sync over a fresh stream, as the opener or the responder. Never throws. */
export function runSync(
  stream: Stream,
  o: { peer: string; opener: boolean; store: SyncStore; maxFrameBytes: number; onBadInput(err: Error): void }
): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => channel.abort(new Error('registry sync timed out')), SYNC_TIMEOUT_MS)
    const finish = (): void => {
      clearTimeout(timer)
      resolve()
    }
    const fail = (err: Error): void => {
      o.onBadInput(err)
      channel.abort(err)
    }
    const close = (): void => void channel.close().finally(finish)
    const onFrame = async (value: unknown): Promise<void> => {
      const frame = parseSyncFrame(value)
      if (frame.t === 'digest') {
        if (o.opener) throw new BadMessageError('unexpected digest')
        const { recs, want } = o.store.compare(new Map(frame.d))
        channel.send({ t: 'records', recs, want })
        return
      }
      if (o.opener) channel.send({ t: 'records', recs: o.store.envelopesOf(frame.want), want: [] })
      await o.store.merge(frame.recs, o.peer)
      close()
    }
    const channel: FramedChannel = new FramedChannel(stream, {
      maxFrameBytes: o.maxFrameBytes,
      onFrame: (value) => {
        onFrame(value).catch((err: unknown) => fail(err as Error))
      },
      onBadFrame: (err) => o.onBadInput(err),
      onClose: finish
    })
    if (o.opener) channel.send({ t: 'digest', d: o.store.digest() })
  })
}
