/**
 * Rendezvous (highest random weight) hashing: every peer that knows the same candidates
 * picks the same owner for a key, and when a candidate leaves only its keys move.
 */

/** FNV-1a over UTF-16 code units, finished with murmur3's fmix32. Same on every platform. */
export function hash32(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** The candidates ordered by their weight for `key`, the owner first; ties go to the lower id. */
export function rendezvous(key: string, candidates: Iterable<string>): string[] {
  const scored = [...new Set(candidates)].map((id) => ({ id, w: hash32(`${key}\u0000${id}`) }))
  scored.sort((a, b) => b.w - a.w || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  return scored.map((s) => s.id)
}
