/**
 * The code the browser work bench runs inside the PWA pages (through page.evaluate, so
 * each function is self-contained: no imports, no module scope). Frames are
 * varint-length-prefixed; every frame here is under 128 bytes, so the prefix is one byte.
 * Writes in one tick are coalesced into one `stream.send`, as in work-echo.ts.
 */

/** The slice of `window.__mesh` the page code uses. */
interface PageMesh {
  define(name: string, fn: (args: unknown) => unknown): void
  task(needs: object, name: string, args: unknown, o: { peer: string }): PromiseLike<unknown>
  libp2p: {
    handle(protocol: string, fn: (stream: PageStream) => void, o?: object): Promise<void>
    getConnections(): PageConnection[]
  }
}
interface PageStream {
  protocol?: string
  send(data: Uint8Array): boolean
  addEventListener(type: 'message', fn: (evt: { data: { subarray(): Uint8Array } }) => void): void
}
interface PageConnection {
  remotePeer: { toString(): string }
  remoteAddr: { toString(): string }
  status: string
  limits?: unknown
  streams: PageStream[]
  newStream(protocol: string): Promise<PageStream>
}

/** Page B: host task 'bench.echo' and the raw echo protocol. */
export async function pageServe(): Promise<void> {
  const m = (window as unknown as { __mesh: PageMesh }).__mesh
  m.define('bench.echo', (args) => args)
  await m.libp2p.handle('/bench/echo/1.0.0', (stream) => {
    let buf = new Uint8Array(0)
    stream.addEventListener('message', (evt) => {
      const d = evt.data.subarray()
      const next = new Uint8Array(buf.byteLength + d.byteLength)
      next.set(buf)
      next.set(d, buf.byteLength)
      let at = 0
      while (at < next.byteLength && at + 1 + (next[at] as number) <= next.byteLength)
        at += 1 + (next[at] as number)
      // Whole frames echo back in one write (coalesced, like Mesh's channel).
      if (at > 0) stream.send(next.slice(0, at))
      buf = next.slice(at)
    })
  })
}

export interface PageLoopArgs {
  peer: string
  rounds: number
  seq: number
  pipe: number
  window: number
  warmup: number
  bytes: number
}

export interface PageLoopResult {
  addr: string
  seqRaw: number[]
  seqOurs: number[]
  rateRaw: number[]
  rateOurs: number[]
  pipeRaw: number[]
  pipeOurs: number[]
}

/** Page A: sequential and pipelined loops, raw and Mesh alternating. */
export async function pageLoops(a: PageLoopArgs): Promise<PageLoopResult> {
  const m = (window as unknown as { __mesh: PageMesh }).__mesh
  const deadline = Date.now() + 120_000
  const conns = m.libp2p
    .getConnections()
    .filter((c) => c.remotePeer.toString() === a.peer && c.status === 'open' && c.limits === undefined)
  const conn = conns.find((c) => c.streams.some((s) => s.protocol === '/mesh/rpc/1.0.0')) ?? conns[0]
  if (conn === undefined) throw new Error('no direct connection to page B')
  const stream = await conn.newStream('/bench/echo/1.0.0')
  const waiting: Array<() => void> = []
  let buf = new Uint8Array(0)
  stream.addEventListener('message', (evt) => {
    const d = evt.data.subarray()
    const next = new Uint8Array(buf.byteLength + d.byteLength)
    next.set(buf)
    next.set(d, buf.byteLength)
    let at = 0
    while (at < next.byteLength && at + 1 + (next[at] as number) <= next.byteLength) {
      at += 1 + (next[at] as number)
      waiting.shift()?.()
    }
    buf = next.slice(at)
  })
  const body = new Uint8Array(a.bytes).map((_, i) => (i * 7 + 3) & 0xff)
  const frame = new Uint8Array(a.bytes + 1)
  frame[0] = a.bytes
  frame.set(body, 1)
  let queued = 0
  const flush = (): void => {
    const chunk = new Uint8Array(queued * frame.byteLength)
    for (let i = 0; i < queued; i++) chunk.set(frame, i * frame.byteLength)
    queued = 0
    stream.send(chunk)
  }
  const raw = (): Promise<void> =>
    new Promise((resolve) => {
      waiting.push(resolve)
      if (queued++ === 0) queueMicrotask(flush)
    })
  const ours = (): PromiseLike<unknown> => m.task({}, 'bench.echo', body, { peer: a.peer })
  const check = (): void => {
    if (Date.now() > deadline) throw new Error('page loops: deadline passed')
  }
  const sequential = async (n: number, call: () => PromiseLike<unknown>): Promise<number[]> => {
    const out: number[] = []
    for (let i = 0; i < n; i++) {
      check()
      const t0 = performance.now()
      await call()
      out.push(performance.now() - t0)
    }
    return out
  }
  const rate = async (n: number, call: () => PromiseLike<unknown>): Promise<number> => {
    const t0 = performance.now()
    await sequential(n, call)
    return (n * 1_000) / (performance.now() - t0)
  }
  const pipelined = async (n: number, call: () => PromiseLike<unknown>): Promise<number> => {
    let started = 0
    const t0 = performance.now()
    const lane = async (): Promise<void> => {
      while (started < n) {
        check()
        started++
        await call()
      }
    }
    await Promise.all(Array.from({ length: Math.min(a.window, n) }, lane))
    return (n * 1_000) / (performance.now() - t0)
  }
  await sequential(a.warmup, raw)
  await sequential(a.warmup, ours)
  const r: PageLoopResult = {
    addr: conn.remoteAddr.toString(),
    seqRaw: [],
    seqOurs: [],
    rateRaw: [],
    rateOurs: [],
    pipeRaw: [],
    pipeOurs: []
  }
  for (let i = 0; i < a.rounds; i++) {
    r.seqRaw.push(...(await sequential(a.seq, raw)))
    r.seqOurs.push(...(await sequential(a.seq, ours)))
  }
  for (let i = 0; i < a.rounds; i++) {
    r.rateRaw.push(await rate(a.seq, raw))
    r.rateOurs.push(await rate(a.seq, ours))
  }
  for (let i = 0; i < a.rounds; i++) {
    r.pipeRaw.push(await pipelined(a.pipe, raw))
    r.pipeOurs.push(await pipelined(a.pipe, ours))
  }
  return r
}
