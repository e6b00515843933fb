/** A raw gossip payload for the baselines: random bytes, a run number in the first four. */
export function payload(bytes: number, tag: number): Uint8Array {
  const out = crypto.getRandomValues(new Uint8Array(Math.max(4, bytes)))
  new DataView(out.buffer).setUint32(0, tag)
  return out
}

/** The run number a raw payload carries in its first four bytes, or -1. */
export function tagOf(data: Uint8Array): number {
  return data.byteLength < 4 ? -1 : new DataView(data.buffer, data.byteOffset, 4).getUint32(0)
}

/** Wall-clock milliseconds that compare across the processes of one machine. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now()
}
