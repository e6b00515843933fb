import { expect } from 'vitest'
import type { Supervised } from '../../src/actors/types.ts'
import { recorder } from './fixtures.ts'
import type { RecorderView } from './fixtures.ts'
import { SimNet } from './network.ts'

export interface SupervisedSim {
  sim: SimNet
  sup: Supervised
  /** Where the child runs now (exactly one live peer, or the test fails). */
  host(): string
}

/**
 * Six peers; p1..p5 host actor `svc`, p0 (which hosts nothing) supervises child `svc1`
 * and waits until every peer has heard where it runs.
 */
export async function supervisedChild(
  seed: number,
  o: { trapExits?: boolean; trace?: boolean } = {}
): Promise<SupervisedSim> {
  const sim = new SimNet({ seed, peers: 6, trace: o.trace === true })
  await sim.start()
  for (const p of sim.live()) {
    if (p.id !== 'p0') p.actor('svc', { ...recorder(p), trapExits: o.trapExits === true })
  }
  await sim.settle()
  const p0 = sim.peer('p0').work
  const sup = await sim.await(p0.supervise({ id: 'svc1', needs: {}, actor: 'svc' }), 'supervise')
  await sim.settle()
  const host = (): string => {
    const hosts = sim.hostsOf(sup.pid)
    expect(hosts, `live instances of ${sup.pid}`).toHaveLength(1)
    return hosts[0] as string
  }
  host()
  return { sim, sup, host }
}

/** Every live peer routes to the one instance, and a call from each one reaches it. */
export async function answersEverywhere(s: SupervisedSim): Promise<void> {
  const host = s.host()
  for (const p of s.sim.live()) {
    expect(p.work.runtime.locate(s.sup.pid), `${p.id} locates the child`).toBe(host)
    const view = await s.sim.await(
      p.work.call<RecorderView>(s.sup.pid, { get: true }, { timeoutMs: 60_000 }),
      `call from ${p.id}`
    )
    expect(view.peer).toBe(host)
  }
}

/** `actor:down` events for the child, across live peers. */
export function downs(s: SupervisedSim): Array<{ peer: string; reason: string }> {
  return s.sim.live().flatMap((p) =>
    p
      .emitted('actor:down')
      .filter((d) => d.pid === s.sup.pid)
      .map((d) => ({ peer: p.id, reason: d.reason }))
  )
}

export function restarts(s: SupervisedSim): string[] {
  return s.sim.live().flatMap((p) => p.emitted('supervisor:restart').map((r) => r.peer))
}
