/**
 * The baseline of the work benches: a raw libp2p echo protocol on the connection Mesh's
 * RPC stream runs on, one long-lived stream, varint-length-prefixed frames (the framing
 * `/mesh/rpc/1.0.0` uses, without CBOR or anything above it). A frame whose first byte is
 * SINK is only counted; any other frame is echoed, and one starting with COUNT is answered
 * with the number of SINK frames so far (the baseline of actor `send` throughput).
 * Writes made in the same tick are coalesced into one `stream.send`, as Mesh's channel
 * does: without that the raw side pays one yamux frame and one socket write per message
 * and falls behind Mesh when pipelined, which would flatter the overhead ratio.
 * Also the measuring loops, shared by the raw and the Mesh side.
 */
import { FrameDecoder, encodeFrame } from 'mesh-core'
import type { Mesh } from 'mesh-core'

/** libp2p's types, without a dependency of our own on @libp2p/interface. */
type Connection = ReturnType<Mesh['libp2p']['getConnections']>[number]
type Stream = Awaited<ReturnType<Connection['newStream']>>

export const ECHO_PROTOCOL = '/bench/echo/1.0.0'
export const SINK = 0
export const COUNT = 2
const MAX_FRAME = 64 * 1024
const DEADLINE_MS = 60_000

/** Frames written in one tick leave in one `stream.send`. */
export class Coalescer {
  private pending: Uint8Array[] = []
  private bytes = 0

  constructor(private readonly stream: Stream) {}

  send(frame: Uint8Array): void {
    if (this.pending.length === 0) queueMicrotask(this.flush)
    this.pending.push(frame)
    this.bytes += frame.byteLength
  }

  private readonly flush = (): void => {
    const frames = this.pending
    let chunk = frames[0]
    if (frames.length > 1) {
      chunk = new Uint8Array(this.bytes)
      let at = 0
      for (const f of frames) {
        chunk.set(f, at)
        at += f.byteLength
      }
    }
    this.pending = []
    this.bytes = 0
    if (chunk !== undefined && this.stream.status === 'open') this.stream.send(chunk)
  }
}

/** Echo on `ECHO_PROTOCOL` (idempotent per node). */
export async function handleEcho(m: Mesh): Promise<void> {
  if (m.libp2p.getProtocols().includes(ECHO_PROTOCOL)) return
  await m.libp2p.handle(ECHO_PROTOCOL, (stream: Stream) => {
    const decoder = new FrameDecoder(MAX_FRAME)
    const out = new Coalescer(stream)
    let sunk = 0
    stream.addEventListener('message', (evt) => {
      for (const f of decoder.push(evt.data)) {
        if (f[0] === SINK) sunk++
        else if (f[0] === COUNT) out.send(encodeFrame(new TextEncoder().encode(String(sunk))))
        else out.send(encodeFrame(f))
      }
    })
  })
}

/** The open connection between `a` and `b` that carries Mesh's RPC stream. */
export function rpcConnection(a: Mesh, b: string): Connection {
  const conns = a.libp2p.getConnections().filter((c) => c.remotePeer.toString() === b && c.status === 'open')
  const rpc = conns.find((c) => c.streams.some((s) => s.protocol === '/mesh/rpc/1.0.0'))
  const conn = rpc ?? conns[0]
  if (conn === undefined) throw new Error(`no open connection to ${b}`)
  return conn
}

/** A client of the echo protocol: each frame sent waits for the next frame back, in order. */
export class EchoClient {
  private readonly waiting: Array<(f: Uint8Array) => void> = []
  private readonly decoder = new FrameDecoder(MAX_FRAME)
  private readonly out: Coalescer

  private constructor(readonly stream: Stream) {
    this.out = new Coalescer(stream)
    stream.addEventListener('message', (evt) => {
      for (const f of this.decoder.push(evt.data)) this.waiting.shift()?.(f)
    })
  }

  static async open(conn: Connection): Promise<EchoClient> {
    return new EchoClient(await conn.newStream(ECHO_PROTOCOL, { signal: AbortSignal.timeout(10_000) }))
  }

  request(payload: Uint8Array): Promise<Uint8Array> {
    return new Promise((resolve) => {
      this.waiting.push(resolve)
      this.out.send(encodeFrame(payload))
    })
  }

  sink(payload: Uint8Array): void {
    this.out.send(encodeFrame(payload))
  }

  async close(): Promise<void> {
    await this.stream.close().catch(() => this.stream.abort(new Error('bench done')))
  }
}

/** A payload of `bytes` bytes whose first byte is `kind`. */
export function payload(bytes: number, kind = 1): Uint8Array {
  const p = new Uint8Array(bytes).map((_, i) => (i * 7 + 3) & 0xff)
  p[0] = kind
  return p
}

/** Round trips of `n` calls, one at a time, in ms. */
export async function sequential(n: number, call: () => PromiseLike<unknown>): Promise<number[]> {
  const out: number[] = []
  const end = Date.now() + DEADLINE_MS
  for (let i = 0; i < n; i++) {
    if (Date.now() > end) throw new Error(`sequential: ${i} of ${n} calls in ${DEADLINE_MS} ms`)
    const t0 = performance.now()
    await call()
    out.push(performance.now() - t0)
  }
  return out
}

/** Calls per second for `n` calls with at most `window` in flight. */
export async function pipelined(
  n: number,
  window: number,
  call: () => PromiseLike<unknown>
): Promise<number> {
  let started = 0
  const t0 = performance.now()
  const end = Date.now() + DEADLINE_MS
  const lane = async (): Promise<void> => {
    while (started < n) {
      if (Date.now() > end) throw new Error(`pipelined: ${started} of ${n} calls in ${DEADLINE_MS} ms`)
      started++
      await call()
    }
  }
  await Promise.all(Array.from({ length: Math.min(window, n) }, lane))
  return (n * 1_000) / (performance.now() - t0)
}

/** Calls per second for each of `rounds` rounds of `n` sequential calls. */
export async function sequentialRate(
  rounds: number,
  n: number,
  call: () => PromiseLike<unknown>
): Promise<number[]> {
  const out: number[] = []
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now()
    await sequential(n, call)
    out.push((n * 1_000) / (performance.now() - t0))
  }
  return out
}

/** Interleave raw and Mesh rounds so drifting machine load hits both alike. */
export async function alternate<T>(
  rounds: number,
  raw: () => Promise<T>,
  ours: () => Promise<T>
): Promise<{ raw: T[]; ours: T[] }> {
  const out: { raw: T[]; ours: T[] } = { raw: [], ours: [] }
  for (let r = 0; r < rounds; r++) {
    out.raw.push(await raw())
    out.ours.push(await ours())
  }
  return out
}
