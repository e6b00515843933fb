/**
 * Supervised restart after a SIGKILL. A victim device in its own process
 * (work-victim.ts) hosts a supervised child; one in-process device, the adopter, defines
 * the same actor once the child runs (so it is the only capable peer left after the
 * kill: exactly one adopts), and a third device calls the child's pid. From SIGKILL to
 * (a) `supervisor:restart` on the adopter and (b) the first successful `call` to the same
 * pid from the third device. Baseline, same runs: the failure detector's own time
 * (SIGKILL → `peer:leave` on the adopter), which is what triggers adoption.
 */
import { fork } from 'node:child_process'
import type { Mesh } from 'mesh-core'
import { startDevices, startRelay, stopAll, tcpAddrs } from './fleet.ts'
import { healthDefaults } from './health-defaults.ts'
import { LoadProbe } from './load-probe.ts'
import { fmt, samplesOf, summarise } from './stats.ts'
import type { Row } from './stats.ts'
import { until } from './until.ts'
import type { FromWorkVictim } from './work-victim.ts'

const QUICK = process.env.MESH_BENCH_QUICK === '1'
const RUNS = QUICK ? 2 : 8
const SCRIPT = new URL('./work-victim.js', import.meta.url)
const READY_MS = 30_000
const JOIN_MS = 30_000
const RESTART_MS = 30_000
const CALL_TIMEOUT_MS = 1_000

interface Victim {
  peerId: string
  pid: string
  kill(): Promise<void>
}

async function startVictim(name: string, actor: string, id: string, bootstrap: string[]): Promise<Victim> {
  const child = fork(SCRIPT, [name, actor, id, ...bootstrap], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc']
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    let timer: ReturnType<typeof setTimeout> | undefined
    await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 10_000)))])
    clearTimeout(timer)
  }
  try {
    const ready = await new Promise<{ peerId: string; pid: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} not ready in ${READY_MS} ms`)), READY_MS)
      child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before it was ready`)))
      child.once('message', (raw: unknown) => {
        clearTimeout(timer)
        const m = raw as FromWorkVictim
        if (m?.type === 'ready' && typeof m.peerId === 'string' && typeof m.pid === 'string') resolve(m)
        else reject(new Error(`${name}: ${m?.type === 'failed' ? m.message : 'bad message'}`))
      })
    })
    return { ...ready, kill }
  } catch (err) {
    await kill()
    throw err
  }
}

/** The peer is healthy over a direct TCP link and advertises `benchChild: id`. */
function seesChild(m: Mesh, peer: string, id: string): boolean {
  const p = m.peers().find((x) => x.id === peer)
  return p !== undefined && p.status === 'healthy' && p.link === 'tcp' && p.capabilities.benchChild === id
}

interface Run {
  leave: number
  restart: number
  call: number
  down: number | undefined
  attempts: number
}

async function oneRun(relay: Mesh, adopter: Mesh, caller: Mesh, i: number): Promise<Run> {
  const actor = `bench.restart.${i}`
  const id = `bench-restart-${i}`
  const victim = await startVictim(`victim-${i}`, actor, id, tcpAddrs(relay))
  const offs: Array<() => void> = []
  try {
    await until(
      () => seesChild(adopter, victim.peerId, id) && seesChild(caller, victim.peerId, id),
      JOIN_MS,
      'victim joined with its child',
      10
    )
    // Only now may the adopter host the behaviour: the child started on the victim.
    adopter.actor(actor, {
      init: () => 0,
      handle(msg: unknown, n: number, ctx) {
        ctx.reply(msg === 'get' ? n : msg)
        return n
      }
    })
    await caller.call(victim.pid, 'get', { timeoutMs: 5_000 })

    let leave: number | undefined
    let down: number | undefined
    let restart: number | undefined
    offs.push(
      adopter.on('peer:leave', (e) => void (e.id === victim.peerId && (leave ??= performance.now()))),
      adopter.on(
        'peer:status',
        (p) => void (p.id === victim.peerId && p.status === 'down' && (down ??= performance.now()))
      ),
      adopter.on('supervisor:restart', (e) => void (e.id === id && (restart ??= performance.now())))
    )
    const t0 = performance.now()
    await victim.kill()
    let called: number | undefined
    let attempts = 0
    const end = Date.now() + RESTART_MS
    while (called === undefined) {
      if (Date.now() > end) throw new Error(`no successful call to ${id} within ${RESTART_MS} ms`)
      attempts++
      try {
        await caller.call(victim.pid, 'get', { timeoutMs: CALL_TIMEOUT_MS })
        called = performance.now()
      } catch {
        await new Promise((r) => setTimeout(r, 5))
      }
    }
    await until(() => leave !== undefined && restart !== undefined, RESTART_MS, 'peer:leave and restart', 5)
    // Stop the adopted child: the next run starts clean.
    await (await adopter.supervise({ id, needs: {}, actor })).stop()
    return {
      leave: leave! - t0,
      restart: restart! - t0,
      call: called - t0,
      down: down === undefined ? undefined : down - t0,
      attempts
    }
  } finally {
    for (const off of offs) off()
    await victim.kill()
  }
}

export async function benchWorkRestart(): Promise<Row[]> {
  const relay = await startRelay()
  const meshes: Mesh[] = [relay]
  try {
    const [adopter, caller] = (await startDevices(tcpAddrs(relay), 2, 'restart')) as [Mesh, Mesh]
    meshes.push(adopter, caller)
    const probe = new LoadProbe()
    const runs: Run[] = []
    const failed: string[] = []
    for (let i = 0; i < RUNS && failed.length <= 2; i++) {
      try {
        runs.push(await oneRun(relay, adopter, caller, i))
      } catch (err) {
        failed.push((err as Error).message)
      }
    }
    const load = probe.summary()
    probe.stop()
    if (runs.length === 0) throw new Error(`every run failed: ${failed.join('; ')}`)
    const leave = runs.map((r) => r.leave)
    const restart = runs.map((r) => r.restart)
    const call = runs.map((r) => r.call)
    const downs = runs.flatMap((r) => (r.down === undefined ? [] : [r.down]))
    const how =
      'victim device in its own process (bench/dist/work-victim.js) hosts the supervised child; ' +
      'relay, adopter (the only other peer defining the actor) and caller in-process, loopback TCP; ' +
      `${failed.length} runs failed${failed.length > 0 ? ` (${failed.join('; ')})` : ''}; ` +
      `adopter saw peer:status down at ${downs.length > 0 ? fmt(summarise(downs).p50) : 'n/a'} ms (p50), ` +
      `peer:leave at ${fmt(summarise(leave).p50)} ms; health: mesh defaults (${healthDefaults()}); ${load}`
    const base = { what: 'SIGKILL → peer:leave on the adopter', result: summarise(leave) }
    return [
      {
        bench: 'supervised-restart',
        case: 'SIGKILL → supervisor:restart on the adopter',
        unit: 'ms',
        result: summarise(restart),
        baseline: base,
        note: how,
        samples: samplesOf(restart, leave)
      },
      {
        bench: 'supervised-restart',
        case: 'SIGKILL → first successful call from a third peer',
        unit: 'ms',
        result: summarise(call),
        baseline: base,
        note: `${how}; the caller retried every 5 ms (call timeout ${CALL_TIMEOUT_MS} ms), ${fmt(summarise(runs.map((r) => r.attempts)).p50)} attempts (p50)`,
        samples: samplesOf(call, leave)
      }
    ]
  } finally {
    await stopAll(meshes)
  }
}
