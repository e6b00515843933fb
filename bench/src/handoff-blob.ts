/**
 * What the handoff benches share on the Node side: the actor that moves (a state of
 * `bytes` bytes plus the number of the last message it applied), the raw baseline (the
 * same bytes sent once over a libp2p stream on the same connection, answered by a one-byte
 * ack), and the longest gap between applied messages in a window.
 */
import type { Mesh } from 'mesh-core'

/** libp2p's types, without a dependency of our own on @libp2p/interface. */
type Connection = ReturnType<Mesh['libp2p']['getConnections']>[number]
type Stream = Awaited<ReturnType<Connection['newStream']>>
/** A stream's message payload: a Uint8Array or a Uint8ArrayList. */
interface Chunk {
  byteLength: number
  subarray(begin?: number, end?: number): Uint8Array
}

export const BLOB_PROTOCOL = '/bench/blob/1.0.0'
export const HANDOFF_ACTOR = 'bench.blob'
/** The largest raw request the baseline accepts. */
const MAX_BLOB_BYTES = 32 * 1024 * 1024

export interface BlobState {
  blob: Uint8Array
  /** The number of the last message applied (messages are numbered from 1). */
  n: number
}

/** A state of `bytes` bytes, filled with a pattern the checks can recognise. */
export function blobState(bytes: number): BlobState {
  return { blob: new Uint8Array(bytes).map((_, i) => (i * 7 + 3) & 0xff), n: 0 }
}

/** The state's bytes are all there, pattern intact (sampled). */
export function blobIntact(s: BlobState, bytes: number): boolean {
  if (!(s.blob instanceof Uint8Array) || s.blob.byteLength !== bytes) return false
  for (let i = 0; i < bytes; i += 997) if (s.blob[i] !== ((i * 7 + 3) & 0xff)) return false
  return true
}

/** What every applied message reports, for the pause and exactly-once checks. */
export interface Applied {
  n: number
  at: number
}

/**
 * The moving actor: `{ n }` applies message n (which must be the last plus one, or the
 * step fails), 'get' answers the last n, 'check' answers whether the state is intact.
 */
export function blobBehaviour(onApply: (a: Applied) => void, onDisorder: (why: string) => void) {
  return {
    init: (args: unknown): BlobState => blobState(Number((args as { bytes?: unknown } | null)?.bytes ?? 0)),
    handle(msg: unknown, s: BlobState, ctx: { reply(v: unknown): void }): BlobState | undefined {
      if (typeof msg === 'object' && msg !== null && typeof (msg as { n?: unknown }).n === 'number') {
        const n = (msg as { n: number }).n
        if (n !== s.n + 1) onDisorder(`applied ${n} after ${s.n}`)
        onApply({ n, at: performance.now() })
        return { blob: s.blob, n }
      }
      if (msg === 'get') ctx.reply(s.n)
      else if (msg === 'check')
        ctx.reply({ n: s.n, bytes: s.blob.byteLength, ok: blobIntact(s, s.blob.byteLength) })
      return undefined
    }
  }
}

/** Receive raw requests on `BLOB_PROTOCOL`: a 4-byte length, the bytes, then a 1-byte ack. */
export async function handleBlob(m: Mesh): Promise<void> {
  if (m.libp2p.getProtocols().includes(BLOB_PROTOCOL)) return
  await m.libp2p.handle(BLOB_PROTOCOL, (stream: Stream) => {
    const header = new Uint8Array(4)
    let headerAt = 0
    let body: Uint8Array | undefined
    let at = 0
    stream.addEventListener('message', (evt) => {
      const data = evt.data as Chunk
      let off = 0
      while (off < data.byteLength) {
        if (body === undefined) {
          const take = Math.min(4 - headerAt, data.byteLength - off)
          header.set(data.subarray(off, off + take), headerAt)
          headerAt += take
          off += take
          if (headerAt < 4) return
          const len = new DataView(header.buffer).getUint32(0)
          if (len > MAX_BLOB_BYTES) return stream.abort(new Error(`blob of ${len} bytes`))
          body = new Uint8Array(len)
          at = 0
        }
        const take = Math.min(body.byteLength - at, data.byteLength - off)
        // The bytes land in one buffer, as a real request's would.
        body.set(data.subarray(off, off + take), at)
        at += take
        off += take
        if (at === body.byteLength) {
          body = undefined
          headerAt = 0
          stream.send(new Uint8Array([1]))
        }
      }
    })
  })
}

/** A client of `BLOB_PROTOCOL` on one connection: one request at a time. */
export class BlobClient {
  private waiting: (() => void) | undefined

  private constructor(private readonly stream: Stream) {
    stream.addEventListener('message', () => {
      const w = this.waiting
      this.waiting = undefined
      w?.()
    })
  }

  static async open(conn: Connection): Promise<BlobClient> {
    return new BlobClient(await conn.newStream(BLOB_PROTOCOL, { signal: AbortSignal.timeout(10_000) }))
  }

  /** Send `bytes` as one request (one `stream.send`), resolve on the ack; in ms. */
  async request(bytes: Uint8Array): Promise<number> {
    const frame = new Uint8Array(4 + bytes.byteLength)
    new DataView(frame.buffer).setUint32(0, bytes.byteLength)
    frame.set(bytes, 4)
    const t0 = performance.now()
    await new Promise<void>((resolve) => {
      this.waiting = resolve
      this.stream.send(frame)
    })
    return performance.now() - t0
  }

  async close(): Promise<void> {
    await this.stream.close().catch(() => this.stream.abort(new Error('bench done')))
  }
}

/**
 * The longest gap between consecutive applied messages around a window: from the last
 * one applied at or before `from` to the first one numbered above `upTo` (a message sent
 * once the window closed), so a pause that outlasts the window still counts in full.
 */
export function longestGap(log: readonly Applied[], from: number, upTo: number): number {
  let k = 0
  while (k + 1 < log.length && (log[k + 1] as Applied).at <= from) k++
  let gap = 0
  for (; k + 1 < log.length; k++) {
    const a = log[k] as Applied
    const b = log[k + 1] as Applied
    gap = Math.max(gap, b.at - a.at)
    if (b.n > upTo) break
  }
  return gap
}

/** Human sizes: 1 KiB, 64 KiB, 1 MiB. */
export function sizeLabel(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MiB` : `${bytes / 1024} KiB`
}
