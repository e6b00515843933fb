/**
 * The code the browser handoff bench runs inside the PWA pages (through page.evaluate, so
 * each function is self-contained: no imports, no module scope). The actor and the raw
 * protocol are those of handoff-blob.ts, written again for the page.
 */

/** The slice of `window.__mesh` the page code uses. */
interface PageMesh {
  peerId: string
  actor(name: string, behaviour: object): void
  spawn(needs: object, actor: string, args: unknown, o: { peer: string }): Promise<string>
  handoff(pid: string, target: { to: string }): Promise<string>
  call<R>(to: string, message: unknown, o?: { timeoutMs?: number }): Promise<R>
  send(to: string, message: unknown, o?: { priority?: string }): void
  libp2p: {
    handle(protocol: string, fn: (stream: PageStream) => void, o?: object): Promise<void>
    getConnections(): PageConnection[]
  }
}
interface PageChunk {
  byteLength: number
  subarray(begin?: number, end?: number): Uint8Array
}
interface PageStream {
  protocol?: string
  send(data: Uint8Array): boolean
  addEventListener(type: 'message', fn: (evt: { data: PageChunk }) => void): void
}
interface PageConnection {
  remotePeer: { toString(): string }
  status: string
  limits?: unknown
  streams: PageStream[]
  newStream(protocol: string): Promise<PageStream>
}
/** What the page keeps between evaluations. */
interface PageBench {
  raw?: { peer: string; stream: PageStream; waiting: (() => void) | undefined }
  /** Messages the actor applied here: number and wall-clock time (comparable across pages). */
  log: Array<{ n: number; at: number }>
  disorder: string[]
  /** The steady sender, when this page runs it. */
  sent: number
  sender?: ReturnType<typeof setInterval>
}

/** Both pages: host actor 'bench.blob' and answer raw requests on /bench/blob/1.0.0. */
export async function pageHandoffSetup(): Promise<void> {
  const w = window as unknown as { __mesh: PageMesh; __handoffBench?: PageBench }
  const m = w.__mesh
  const bench: PageBench = { log: [], disorder: [], sent: 0 }
  w.__handoffBench = bench
  interface S {
    blob: Uint8Array
    n: number
  }
  const intact = (s: S): boolean => {
    for (let i = 0; i < s.blob.byteLength; i += 997) if (s.blob[i] !== ((i * 7 + 3) & 0xff)) return false
    return true
  }
  m.actor('bench.blob', {
    init: (args: { bytes: number }): S => ({
      blob: new Uint8Array(args.bytes).map((_, i) => (i * 7 + 3) & 0xff),
      n: 0
    }),
    handle(msg: unknown, s: S, ctx: { reply(v: unknown): void }): S | undefined {
      if (typeof msg === 'object' && msg !== null && typeof (msg as { n?: unknown }).n === 'number') {
        const n = (msg as { n: number }).n
        if (n !== s.n + 1) bench.disorder.push(`applied ${n} after ${s.n}`)
        bench.log.push({ n, at: performance.timeOrigin + performance.now() })
        return { blob: s.blob, n }
      }
      if (msg === 'check') ctx.reply({ n: s.n, bytes: s.blob.byteLength, ok: intact(s) })
      return undefined
    }
  })
  await m.libp2p.handle('/bench/blob/1.0.0', (stream) => {
    const header = new Uint8Array(4)
    let headerAt = 0
    let body: Uint8Array | undefined
    let at = 0
    stream.addEventListener('message', (evt) => {
      const data = evt.data
      let off = 0
      while (off < data.byteLength) {
        if (body === undefined) {
          const take = Math.min(4 - headerAt, data.byteLength - off)
          header.set(data.subarray(off, off + take), headerAt)
          headerAt += take
          off += take
          if (headerAt < 4) return
          body = new Uint8Array(new DataView(header.buffer).getUint32(0))
          at = 0
        }
        const take = Math.min(body.byteLength - at, data.byteLength - off)
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

/** Spawn the actor here with a state of `bytes` bytes. */
export function pageSpawn(bytes: number): Promise<string> {
  const m = (window as unknown as { __mesh: PageMesh }).__mesh
  return m.spawn({}, 'bench.blob', { bytes }, { peer: m.peerId })
}

/** Move `pid` (hosted here) to `to`: ms until mesh.handoff resolved, and when it began (wall clock). */
export async function pageMove(a: { pid: string; to: string }): Promise<{ ms: number; wall: number }> {
  const m = (window as unknown as { __mesh: PageMesh }).__mesh
  const t0 = performance.now()
  await m.handoff(a.pid, { to: a.to })
  return { ms: performance.now() - t0, wall: performance.timeOrigin + t0 }
}

/**
 * Start sending `{ n }` to `pid` at a steady `everyMs` on average: Chromium clamps
 * repeating timers to 4 ms, so each tick sends the messages due by then.
 */
export function pageSenderStart(a: { pid: string; everyMs: number }): void {
  const w = window as unknown as { __mesh: PageMesh; __handoffBench: PageBench }
  const bench = w.__handoffBench
  const t0 = performance.now()
  const stopAt = t0 + 300_000
  bench.sent = 0
  bench.sender = setInterval(() => {
    const now = performance.now()
    if (now > stopAt) return clearInterval(bench.sender)
    const due = Math.floor((now - t0) / a.everyMs)
    while (bench.sent < due) w.__mesh.send(a.pid, { n: ++bench.sent }, { priority: 'high' })
  }, a.everyMs)
}

/** Stop the sender; how many it sent. */
export function pageSenderStop(): number {
  const bench = (window as unknown as { __handoffBench: PageBench }).__handoffBench
  clearInterval(bench.sender)
  return bench.sent
}

/** The sender's count so far, and the wall clock now. */
export function pageSent(): { sent: number; wall: number } {
  const bench = (window as unknown as { __handoffBench: PageBench }).__handoffBench
  return { sent: bench.sent, wall: performance.timeOrigin + performance.now() }
}

/** The number of the last message applied here (0 for none). */
export function pageLastApplied(): number {
  return (window as unknown as { __handoffBench: PageBench }).__handoffBench.log.at(-1)?.n ?? 0
}

/** What the actor applied here, and any disorder it saw; clears both. */
export function pageTakeLog(): { log: Array<{ n: number; at: number }>; disorder: string[] } {
  const bench = (window as unknown as { __handoffBench: PageBench }).__handoffBench
  const out = { log: bench.log, disorder: bench.disorder }
  bench.log = []
  bench.disorder = []
  return out
}

/** The actor's state as it reports it. */
export function pageCheck(pid: string): Promise<{ n: number; bytes: number; ok: boolean }> {
  const m = (window as unknown as { __mesh: PageMesh }).__mesh
  return m.call(pid, 'check', { timeoutMs: 10_000 })
}

/**
 * `bytes` bytes as one raw request to `peer` on the direct connection the RPC stream
 * uses (one stream, opened once); ms until the ack.
 */
export async function pageRaw(a: { peer: string; bytes: number }): Promise<number> {
  const w = window as unknown as { __mesh: PageMesh; __handoffBench: PageBench }
  const bench = w.__handoffBench
  if (bench.raw?.peer !== a.peer) {
    const conns = w.__mesh.libp2p
      .getConnections()
      .filter((c) => c.remotePeer.toString() === a.peer && c.status === 'open' && c.limits === undefined)
    const conn = conns.find((c) => c.streams.some((s) => s.protocol === '/mesh/rpc/1.0.0')) ?? conns[0]
    if (conn === undefined) throw new Error(`no direct connection to ${a.peer}`)
    const stream = await conn.newStream('/bench/blob/1.0.0')
    const raw: NonNullable<PageBench['raw']> = { peer: a.peer, stream, waiting: undefined }
    stream.addEventListener('message', () => {
      const done = raw.waiting
      raw.waiting = undefined
      done?.()
    })
    bench.raw = raw
  }
  const raw = bench.raw
  const frame = new Uint8Array(4 + a.bytes).map((_, i) => (i * 7 + 3) & 0xff)
  new DataView(frame.buffer).setUint32(0, a.bytes)
  const t0 = performance.now()
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('raw request: no ack in 30 s')), 30_000)
    raw.waiting = () => {
      clearTimeout(timer)
      resolve()
    }
    raw.stream.send(frame)
  })
  return performance.now() - t0
}
