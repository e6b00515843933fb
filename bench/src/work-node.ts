/**
 * Tasks and actors Node↔Node over TCP (two devices and a relay, in-process), side by side
 * with a raw libp2p echo on the same connection (work-echo.ts): round trip p50/p99,
 * sequential and pipelined throughput, actor `send` throughput and `call` round trip.
 */
import type { Mesh } from 'mesh-core'
import { startDevices, startRelay, stopAll, tcpAddrs } from './fleet.ts'
import { LoadProbe } from './load-probe.ts'
import { fmt, samplesOf, summarise } from './stats.ts'
import type { Row } from './stats.ts'
import { until } from './until.ts'
import {
  COUNT,
  EchoClient,
  SINK,
  alternate,
  handleEcho,
  payload,
  pipelined,
  rpcConnection,
  sequential,
  sequentialRate
} from './work-echo.ts'

const QUICK = process.env.MESH_BENCH_QUICK === '1'
/** Rounds, raw and Mesh alternating; each count below is per round. */
const ROUNDS = 5
const SEQ = QUICK ? 60 : 400
const PIPE = QUICK ? 600 : 4_000
const WINDOW = 256
const SENDS = QUICK ? 1_000 : 4_000
const WARMUP = QUICK ? 50 : 200
export const WORK_PAYLOAD_BYTES = 64
const TASK = 'bench.echo'
const ACTOR = 'bench.counter'

/** Counts `1`s, answers 'get' with the count, echoes anything else to a call. */
const counter = {
  init: (): number => 0,
  handle(msg: unknown, n: number, ctx: { reply(v: unknown): void }): number {
    if (msg === 1) return n + 1
    ctx.reply(msg === 'get' ? n : msg)
    return n
  }
}

/** A direct TCP link both ways, the RPC stream open, and the echo protocol on both. */
export async function linkPair(a: Mesh, b: Mesh): Promise<void> {
  const direct = (x: Mesh, y: Mesh): boolean =>
    x.peers().some((p) => p.id === y.peerId && p.status === 'healthy' && p.link === 'tcp')
  await until(() => direct(a, b) && direct(b, a), 30_000, 'direct link between the two devices', 20)
  await a.ping(b.peerId)
  await handleEcho(a)
  await handleEcho(b)
}

function ratioNote(raw: number, ours: number, higherIsBetter: boolean): string {
  const overhead = higherIsBetter ? raw / ours : ours / raw
  return `overhead ${overhead.toFixed(2)}× the raw echo (goal ≤ 1.5×)`
}

function row(
  bench: string,
  kase: string,
  unit: string,
  ours: number[],
  raw: number[],
  what: string,
  note: string
): Row {
  return {
    bench,
    case: kase,
    unit,
    result: summarise(ours),
    baseline: { what, result: summarise(raw) },
    note,
    samples: samplesOf(ours, raw)
  }
}

export async function benchWorkNode(): Promise<Row[]> {
  const relay = await startRelay()
  const meshes: Mesh[] = [relay]
  try {
    const [a, b] = (await startDevices(tcpAddrs(relay), 2, 'work')) as [Mesh, Mesh]
    meshes.push(a, b)
    b.define(TASK, (args) => args)
    b.actor(ACTOR, counter)
    await linkPair(a, b)
    const conn = rpcConnection(a, b.peerId)
    const echo = await EchoClient.open(conn)
    const msg = payload(WORK_PAYLOAD_BYTES)
    const raw = (): Promise<Uint8Array> => echo.request(msg)
    const task = (): PromiseLike<unknown> => a.task({}, TASK, msg, { peer: b.peerId })
    const pid = await a.spawn({}, ACTOR, null, { peer: b.peerId })
    const call = (): Promise<unknown> => a.call(pid, msg)
    const where = `Node↔Node, TCP loopback, ${WORK_PAYLOAD_BYTES} B payload`
    const how =
      `in-process: relay + 2 devices, one direct TCP connection (${conn.remoteAddr.toString().split('/p2p/')[0]}); ` +
      `raw = ${'/bench/echo/1.0.0'} on that connection, one long-lived stream, varint-length-prefixed frames; ` +
      `${ROUNDS} rounds, raw and Mesh alternating`

    // Warm both paths (JIT, yamux windows) before anything counts.
    await sequential(WARMUP, raw)
    await sequential(WARMUP, task)
    await sequential(WARMUP, call)

    const probe = new LoadProbe()
    const seqRt = await alternate(
      ROUNDS,
      () => sequential(SEQ, raw),
      () => sequential(SEQ, task)
    )
    const seqRate = await alternate(
      ROUNDS,
      async () => (await sequentialRate(1, SEQ, raw))[0]!,
      async () => (await sequentialRate(1, SEQ, task))[0]!
    )
    const pipe = await alternate(
      ROUNDS,
      () => pipelined(PIPE, WINDOW, raw),
      () => pipelined(PIPE, WINDOW, task)
    )
    const taskLoad = probe.summary()
    probe.stop()

    const aprobe = new LoadProbe()
    const callRt = await alternate(
      ROUNDS,
      () => sequential(SEQ, raw),
      () => sequential(SEQ, call)
    )
    const sink = payload(WORK_PAYLOAD_BYTES, SINK)
    const countMsg = payload(8, COUNT)
    let rawSunk = 0
    let meshSunk = 0
    const sends = await alternate(
      ROUNDS,
      async () => {
        const t0 = performance.now()
        for (let i = 0; i < SENDS; i++) echo.sink(sink)
        const n = Number(new TextDecoder().decode(await echo.request(countMsg)))
        rawSunk += SENDS
        if (n !== rawSunk) throw new Error(`raw sink counted ${n}, sent ${rawSunk}`)
        return (SENDS * 1_000) / (performance.now() - t0)
      },
      async () => {
        const t0 = performance.now()
        for (let i = 0; i < SENDS; i++) a.send(pid, 1)
        const n = await a.call<number>(pid, 'get')
        meshSunk += SENDS
        if (n !== meshSunk) throw new Error(`actor counted ${n}, sent ${meshSunk} (dropped?)`)
        return (SENDS * 1_000) / (performance.now() - t0)
      }
    )
    const actorLoad = aprobe.summary()
    aprobe.stop()
    await echo.close()

    const seqAll = { raw: seqRt.raw.flat(), ours: seqRt.ours.flat() }
    const callAll = { raw: callRt.raw.flat(), ours: callRt.ours.flat() }
    const med = (xs: number[]): number => summarise(xs).p50
    const rawWhat = 'raw libp2p echo, same connection'
    return [
      row(
        'task-round-trip',
        `${where}, sequential`,
        'ms',
        seqAll.ours,
        seqAll.raw,
        rawWhat,
        `${how}; mesh.task({}, '${TASK}', payload, { peer }) awaited one at a time, ${ROUNDS}×${SEQ} calls after ${WARMUP} warm-up; ` +
          `${ratioNote(med(seqAll.raw), med(seqAll.ours), false)}; goal p50 ≤ 1 ms: ${med(seqAll.ours) <= 1 ? 'met' : 'missed'}; ${taskLoad}`
      ),
      row(
        'task-throughput',
        `${where}, sequential`,
        'calls/s',
        seqRate.ours,
        seqRate.raw,
        rawWhat,
        `${how}; each run is ${SEQ} calls one at a time; ratio column is ours / raw (lower is worse); ` +
          `${ratioNote(med(seqRate.raw), med(seqRate.ours), true)}`
      ),
      row(
        'task-throughput',
        `${where}, pipelined (${WINDOW} in flight)`,
        'calls/s',
        pipe.ours,
        pipe.raw,
        rawWhat,
        `${how}; each run is ${PIPE} calls, ${WINDOW} in flight; ratio column is ours / raw (lower is worse); ` +
          `${ratioNote(med(pipe.raw), med(pipe.ours), true)}; goal ≥ 10,000 tasks/s: ${med(pipe.ours) >= 10_000 ? 'met' : 'missed'} (p50 ${fmt(med(pipe.ours))})`
      ),
      row(
        'actor-call-round-trip',
        `${where}, sequential`,
        'ms',
        callAll.ours,
        callAll.raw,
        rawWhat,
        `${how}; mesh.call(pid, payload) to an actor on the other device that ctx.reply()s it, ${ROUNDS}×${SEQ} calls; ` +
          `${ratioNote(med(callAll.raw), med(callAll.ours), false)}; ${actorLoad}`
      ),
      row(
        'actor-send-throughput',
        `${where}, ${SENDS} sends then a call`,
        'msgs/s',
        sends.ours,
        sends.raw,
        'raw one-way frames, then a count request',
        `${how}; ${SENDS}× mesh.send(pid, 1) in one go, then mesh.call(pid, 'get') until the count matches (every message arrived); ` +
          `ratio column is ours / raw (lower is worse); ${ratioNote(med(sends.raw), med(sends.ours), true)}; ` +
          `dropped by priority: ${JSON.stringify(a.stats().dropped)}`
      )
    ]
  } finally {
    await stopAll(meshes)
  }
}
