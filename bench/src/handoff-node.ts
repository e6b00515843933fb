/**
 * Live actor handoff Node↔Node over TCP (relay + devices in-process, direct TCP links):
 * how long `await mesh.handoff(pid, { to })` takes for a state of 1 KiB, 64 KiB and
 * 1 MiB, next to the same bytes sent once over a raw libp2p stream on the same connection;
 * and the longest pause a steady sender sees while the actor moves, next to the longest
 * gap in windows of the same length without a move. Every message must be applied exactly
 * once and in order, or the step fails.
 */
import { encodeCbor } from 'mesh-core'
import type { Mesh } from 'mesh-core'
import { startDevices, startRelay, stopAll, tcpAddrs } from './fleet.ts'
import {
  BlobClient,
  HANDOFF_ACTOR,
  blobBehaviour,
  blobState,
  handleBlob,
  longestGap,
  sizeLabel
} from './handoff-blob.ts'
import type { Applied } from './handoff-blob.ts'
import { LoadProbe } from './load-probe.ts'
import { fmt, samplesOf, summarise } from './stats.ts'
import type { Row } from './stats.ts'
import { until } from './until.ts'
import { rpcConnection } from './work-echo.ts'
import { linkPair } from './work-node.ts'

const QUICK = process.env.MESH_BENCH_QUICK === '1'
export const HANDOFF_SIZES = [1024, 64 * 1024, 1024 * 1024]
export const PAUSE_SIZES = [1024, 1024 * 1024]
/** Handoffs per size, alternating direction (and as many raw requests). */
const MOVES = QUICK ? 6 : 20
const WARMUP = 2
/** Each size stops early (with what it has) after this long. */
const SIZE_DEADLINE_MS = QUICK ? 30_000 : 90_000
/** The steady sender's period. */
const SEND_EVERY_MS = 2
/** How long the messages sent after a move may take to be applied before the step fails. */
const RESUME_MS = 10_000

interface Pair {
  meshes: Mesh[]
  a: Mesh
  b: Mesh
  /** A third device: the steady sender of the pause bench. */
  c: Mesh
  log: Applied[]
  disorder: string[]
}

/** Relay + three devices, a and b hosting the actor, every pair linked directly. */
async function startPair(): Promise<Pair> {
  const relay = await startRelay()
  const meshes: Mesh[] = [relay]
  try {
    const [a, b, c] = (await startDevices(tcpAddrs(relay), 3, 'handoff')) as [Mesh, Mesh, Mesh]
    meshes.push(a, b, c)
    const log: Applied[] = []
    const disorder: string[] = []
    const behaviour = blobBehaviour(
      (x) => log.push(x),
      (why) => disorder.push(why)
    )
    a.actor(HANDOFF_ACTOR, behaviour)
    b.actor(HANDOFF_ACTOR, behaviour)
    await linkPair(a, b)
    await linkPair(c, a)
    await linkPair(c, b)
    await handleBlob(a)
    await handleBlob(b)
    return { meshes, a, b, c, log, disorder }
  } catch (err) {
    await stopAll(meshes)
    throw err
  }
}

/** The actor must have kept its state through every move. */
async function checkState(from: Mesh, pid: string, bytes: number, n: number): Promise<void> {
  const s = await from.call<{ n: number; bytes: number; ok: boolean }>(pid, 'check', { timeoutMs: 10_000 })
  if (!s.ok || s.bytes !== bytes || s.n !== n)
    throw new Error(`handoff lost state: ${JSON.stringify(s)}, expected ${bytes} bytes and n = ${n}`)
}

/** Moves the actor between a and b, from whichever hosts it. */
class Mover {
  private at = 0

  constructor(
    private readonly hosts: [Mesh, Mesh],
    readonly pid: string
  ) {}

  get host(): Mesh {
    return this.hosts[this.at] as Mesh
  }

  /** One handoff to the other host, in ms. */
  async move(): Promise<number> {
    const to = this.hosts[1 - this.at] as Mesh
    const t0 = performance.now()
    await this.host.handoff(this.pid, { to: to.peerId })
    const ms = performance.now() - t0
    this.at = 1 - this.at
    return ms
  }
}

const WHERE = 'Node↔Node, TCP loopback'
const SETUP =
  'in-process: relay + 3 devices, direct TCP links; the host that runs the actor calls mesh.handoff(pid, { to: other }), ' +
  'moves alternate a→b and b→a'

export async function benchHandoffNode(): Promise<Row[]> {
  const p = await startPair()
  const rows: Row[] = []
  try {
    const clients = [
      await BlobClient.open(rpcConnection(p.a, p.b.peerId)),
      await BlobClient.open(rpcConnection(p.b, p.a.peerId))
    ] as const
    for (const bytes of HANDOFF_SIZES) {
      const pid = await p.a.spawn({}, HANDOFF_ACTOR, { bytes }, { peer: p.a.peerId })
      const mover = new Mover([p.a, p.b], pid)
      // The raw request carries the state as it would go on the wire (CBOR).
      const wire = encodeCbor(blobState(bytes))
      const raw = (): Promise<number> => clients[mover.host === p.a ? 0 : 1].request(wire)
      for (let i = 0; i < WARMUP; i++) {
        await raw()
        await mover.move()
      }
      const probe = new LoadProbe()
      const ours: number[] = []
      const base: number[] = []
      const end = Date.now() + SIZE_DEADLINE_MS
      while (ours.length < MOVES && Date.now() < end) {
        base.push(await raw())
        ours.push(await mover.move())
      }
      const load = probe.summary()
      probe.stop()
      await checkState(p.c, pid, bytes, 0)
      p.a.exit(pid, 'kill')
      const ratio = summarise(ours).p50 / summarise(base).p50
      rows.push({
        bench: 'actor-handoff',
        case: `${WHERE}, ${sizeLabel(bytes)} state`,
        unit: 'ms',
        result: summarise(ours),
        baseline: {
          what: 'the same bytes once over a raw libp2p stream, same connection, 1-byte ack',
          result: summarise(base)
        },
        note:
          `${SETUP}; time for await mesh.handoff() to resolve (prepare, freeze, snapshot, ${wire.byteLength} B CBOR state ` +
          `in 256 KiB chunks, activate), ${ours.length} moves after ${WARMUP * 2} warm-up, raw and handoff alternating; ` +
          `raw = ${wire.byteLength} B as one request on /bench/blob/1.0.0 (4-byte length, bytes gathered into one buffer, 1-byte ack); ` +
          `p50 ratio ${fmt(ratio)}× the raw request; state checked intact after the moves; ${load}`,
        samples: samplesOf(ours, base)
      })
    }
    for (const c of clients) await c.close()
  } finally {
    await stopAll(p.meshes)
  }
  return rows
}

/** A steady sender: `{ n }` every SEND_EVERY_MS from `c`, numbered from 1. */
class Sender {
  sent = 0
  private readonly timer: ReturnType<typeof setInterval>

  constructor(c: Mesh, pid: string) {
    this.timer = setInterval(() => c.send(pid, { n: ++this.sent }, { priority: 'high' }), SEND_EVERY_MS)
  }

  stop(): void {
    clearInterval(this.timer)
  }
}

const lastApplied = (log: readonly Applied[]): number => log.at(-1)?.n ?? 0

/** Wait until a message sent after now is applied; the gap around [from, now]. */
async function gapSince(log: Applied[], from: number, sender: Sender, what: string): Promise<number> {
  const upTo = sender.sent
  await until(() => lastApplied(log) > upTo, RESUME_MS, `${what}: messages resume after #${upTo}`, 1)
  return longestGap(log, from, upTo)
}

export async function benchHandoffPause(): Promise<Row[]> {
  const p = await startPair()
  const rows: Row[] = []
  try {
    for (const bytes of PAUSE_SIZES) {
      p.log.length = 0
      p.disorder.length = 0
      const pid = await p.a.spawn({}, HANDOFF_ACTOR, { bytes }, { peer: p.a.peerId })
      const mover = new Mover([p.a, p.b], pid)
      const sender = new Sender(p.c, pid)
      const pauses: number[] = []
      const base: number[] = []
      const moveMs: number[] = []
      const probe = new LoadProbe()
      try {
        await until(() => p.log.length > 10, RESUME_MS, 'the sender reaches the actor', 1)
        let window = 20
        for (let i = 0; i < WARMUP; i++) window = await mover.move()
        await gapSince(p.log, performance.now(), sender, 'warm-up')
        const end = Date.now() + SIZE_DEADLINE_MS
        while (pauses.length < MOVES && Date.now() < end) {
          // A window as long as the last move, without one: the baseline.
          const s0 = performance.now()
          await new Promise((r) => setTimeout(r, window))
          base.push(await gapSince(p.log, s0, sender, 'baseline'))
          const t0 = performance.now()
          window = await mover.move()
          moveMs.push(window)
          pauses.push(await gapSince(p.log, t0, sender, 'handoff'))
        }
      } finally {
        sender.stop()
      }
      const load = probe.summary()
      probe.stop()
      await until(() => lastApplied(p.log) === sender.sent, RESUME_MS, 'every message applied', 1)
      const wrong = p.log.findIndex((x, i) => x.n !== i + 1)
      if (wrong >= 0 || p.log.length !== sender.sent || p.disorder.length > 0)
        throw new Error(
          `${sizeLabel(bytes)}: ${sender.sent} sent, ${p.log.length} applied, first out of place at #${wrong}, ` +
            `disorder: ${p.disorder.slice(0, 5).join('; ')}`
        )
      await checkState(p.c, pid, bytes, sender.sent)
      p.a.exit(pid, 'kill')
      rows.push({
        bench: 'actor-handoff-pause',
        case: `${WHERE}, ${sizeLabel(bytes)} state, a send every ${SEND_EVERY_MS} ms`,
        unit: 'ms',
        result: summarise(pauses),
        baseline: { what: 'longest gap in a window as long as a move, no move', result: summarise(base) },
        note:
          `${SETUP}; a third device sends { n } every ${SEND_EVERY_MS} ms (setInterval, priority high) to the pid; each ` +
          `run is the longest gap between consecutive messages applied by the actor, from the last applied before the move ` +
          `to the first one sent after it resolved; ${pauses.length} moves (handoff p50 ${fmt(summarise(moveMs).p50)} ms ` +
          `under load); baseline windows alternate with the moves; ${sender.sent} messages, each applied exactly once and ` +
          `in order (checked); ${load}`,
        samples: samplesOf(pauses, base)
      })
    }
  } finally {
    await stopAll(p.meshes)
  }
  return rows
}
