/**
 * Votes: an OR-Set of `trackId|peerId` entries, so a peer votes once per track and can
 * take its vote back (remove). Entries come from other peers: anything malformed is
 * refused by `isVoteEntry`, and votes for tracks not in the playlist are not counted.
 */
import { maxTrackIdLength } from './tracks'
import type { Track } from './tracks'

export const maxPeerIdLength = 128
/** The most vote entries the set holds (the OR-Set's bound). */
export const maxVotes = 5_000

const entryPattern = new RegExp(`^[a-z0-9-]{1,${maxTrackIdLength}}\\|[A-Za-z0-9]{1,${maxPeerIdLength}}$`)

export function voteEntry(trackId: string, peerId: string): string {
  return `${trackId}|${peerId}`
}

export function isVoteEntry(v: unknown): v is string {
  return typeof v === 'string' && entryPattern.test(v)
}

export function parseVoteEntry(v: string): { trackId: string; peerId: string } | undefined {
  if (!isVoteEntry(v)) return undefined
  const cut = v.indexOf('|')
  return { trackId: v.slice(0, cut), peerId: v.slice(cut + 1) }
}

/** Votes per track id, counting only tracks in `tracks`. */
export function tally(entries: Iterable<string>, tracks: readonly Track[]): Map<string, number> {
  const known = new Set(tracks.map((t) => t.id))
  const counts = new Map<string, number>()
  for (const e of entries) {
    const v = parseVoteEntry(e)
    if (v === undefined || !known.has(v.trackId)) continue
    counts.set(v.trackId, (counts.get(v.trackId) ?? 0) + 1)
  }
  return counts
}

/** The entries that are `peerId`'s votes. */
export function votesOf(entries: Iterable<string>, peerId: string): Set<string> {
  const mine = new Set<string>()
  for (const e of entries) {
    const v = parseVoteEntry(e)
    if (v?.peerId === peerId) mine.add(v.trackId)
  }
  return mine
}

/** The entries voting for `trackId` (consumed when it starts playing). */
export function entriesFor(entries: Iterable<string>, trackId: string): string[] {
  return [...entries].filter((e) => parseVoteEntry(e)?.trackId === trackId)
}

/**
 * The track to play after `currentId`: the most voted of the others, ties going to the
 * first in playlist order after the current one (wrapping round). With no other track,
 * the current one again. `ordered` is in playlist order.
 */
export function pickNext(
  ordered: readonly Track[],
  counts: ReadonlyMap<string, number>,
  currentId: string | null
): Track | undefined {
  if (ordered.length === 0) return undefined
  const at = ordered.findIndex((t) => t.id === currentId)
  const rotated = at < 0 ? [...ordered] : [...ordered.slice(at + 1), ...ordered.slice(0, at)]
  if (rotated.length === 0) return ordered[at]
  let best = rotated[0] as Track
  for (const t of rotated) if ((counts.get(t.id) ?? 0) > (counts.get(best.id) ?? 0)) best = t
  return best
}
