/**
 * The code the bridge stream bench runs inside the PWA page (through page.evaluate, so each
 * function is self-contained: no imports, no module scope). The page is a Mesh peer
 * (`window.__mesh`) with a direct WebRTC link to the mesh-bridge process.
 */

/** The slice of `window.__mesh` the page code uses. */
interface PageMesh {
  task(needs: object, name: string, args: unknown, o: { peer: string }): PageTask
  ping(peer: string): Promise<number>
  libp2p: { getConnections(): PageConnection[] }
}
interface PageTask extends PromiseLike<unknown>, AsyncIterable<unknown> {
  cancel(): void
}
interface PageConnection {
  remotePeer: { toString(): string }
  remoteAddr: { toString(): string }
  status: string
  limits?: unknown
  streams: Array<{ protocol?: string }>
}

/** The id of the bridge's first accelerometer, from its `sensor.list`. */
export async function pageAccelId(peer: string): Promise<string> {
  const m = (window as unknown as { __mesh: PageMesh }).__mesh
  const list = await m.task({}, 'sensor.list', {}, { peer })
  const ids = Array.isArray(list)
    ? list.map((s) => (s as { id?: unknown }).id).filter((id): id is string => typeof id === 'string')
    : []
  const id = ids.find((x) => x.startsWith('iio.accel.'))
  if (id === undefined) throw new Error(`the bridge lists no accelerometer: ${ids.join(', ')}`)
  return id
}

export interface PageStreamArgs {
  peer: string
  sensor: string
  rateHz: number
  maxSamples: number
  /** The stream's `durationMs`, and the page stops iterating this long after it started. */
  budgetMs: number
}

export interface PageStreamResult {
  /** Per sample: receive time in the page − the sample's `at`, in ms (see pageStream). */
  latencies: number[]
  /** Samples per second as received: (n − 1) ÷ (last − first receive). */
  rate: number
  /** The same from the samples' `at` stamps: how fast the bridge produced them. */
  producedRate: number
  /** The longest gap between two received samples, ms. */
  maxGapMs: number
  samples: number
  timedOut: boolean
  /** Date.now() − (performance.timeOrigin + performance.now()), before and after, ms. */
  clockSkew: [number, number]
  /** The remote address of the connection that carried the task's RPC stream. */
  addr: string
}

/**
 * Run `sensor.stream` on the bridge and time every sample. The bridge stamps `at` with
 * its `Date.now()`, a whole millisecond rounded down; the page takes its receive time from
 * the same clock at sub-ms resolution (`performance.timeOrigin + performance.now()`), so a
 * latency is receive − (at + 0.5): the mid-point of the millisecond `at` names.
 */
export async function pageStream(a: PageStreamArgs): Promise<PageStreamResult> {
  const m = (window as unknown as { __mesh: PageMesh }).__mesh
  const wall = (): number => performance.timeOrigin + performance.now()
  const skew0 = Date.now() - wall()
  const t0 = performance.now()
  const task = m.task(
    {},
    'sensor.stream',
    { sensor: a.sensor, rateHz: a.rateHz, maxSamples: a.maxSamples, durationMs: a.budgetMs },
    { peer: a.peer }
  )
  const latencies: number[] = []
  const recv: number[] = []
  const stamps: number[] = []
  let timedOut = false
  for await (const c of task) {
    const now = wall()
    const at = (c as { at?: unknown } | null)?.at
    if (typeof at !== 'number') throw new Error(`a sample without "at": ${JSON.stringify(c)}`)
    latencies.push(now - (at + 0.5))
    recv.push(now)
    stamps.push(at)
    if (performance.now() - t0 > a.budgetMs) {
      timedOut = true
      break
    }
  }
  if (!timedOut) await task
  const conn = m.libp2p
    .getConnections()
    .find(
      (c) =>
        c.remotePeer.toString() === a.peer &&
        c.status === 'open' &&
        c.streams.some((s) => s.protocol === '/mesh/rpc/1.0.0')
    )
  const n = recv.length
  const span = (xs: number[]): number => (xs[n - 1] ?? 0) - (xs[0] ?? 0)
  let maxGapMs = 0
  for (let i = 1; i < n; i++) maxGapMs = Math.max(maxGapMs, (recv[i] ?? 0) - (recv[i - 1] ?? 0))
  return {
    latencies,
    rate: n > 1 ? ((n - 1) * 1_000) / span(recv) : NaN,
    producedRate: n > 1 ? ((n - 1) * 1_000) / span(stamps) : NaN,
    maxGapMs,
    samples: n,
    timedOut,
    clockSkew: [skew0, Date.now() - wall()],
    addr:
      conn === undefined
        ? 'none'
        : `${conn.remoteAddr.toString()}${conn.limits === undefined ? '' : ' (limited)'}`
  }
}

/** `n` sequential Mesh pings to `peer` (RTT in ms, as `mesh.ping` measures it in the page). */
export async function pagePings(a: { peer: string; n: number }): Promise<number[]> {
  const m = (window as unknown as { __mesh: PageMesh }).__mesh
  const out: number[] = []
  for (let i = 0; i < a.n; i++) out.push(await m.ping(a.peer))
  return out
}

/** `n` sequential `sensor.read` round trips to `peer`, ms. */
export async function pageReads(a: { peer: string; sensor: string; n: number }): Promise<number[]> {
  const m = (window as unknown as { __mesh: PageMesh }).__mesh
  const out: number[] = []
  for (let i = 0; i < a.n; i++) {
    const t0 = performance.now()
    await m.task({}, 'sensor.read', { sensor: a.sensor }, { peer: a.peer })
    out.push(performance.now() - t0)
  }
  return out
}
