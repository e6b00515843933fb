import { it } from 'vitest'
import type { ActorBehaviour, ExitReason, Pid } from '../../src/actors/types.ts'
import type { SimPeer } from './peer.ts'
import { simSeeds, withSeed } from './random.ts'
import type { Rng } from './random.ts'

/** The seeds every simulated test runs over (or `MESH_SIM_SEED`). */
export const SEEDS = simSeeds(16)

/** One test per seed; the seed is in the test's name and in every failure message. */
export function simTest(name: string, fn: (seed: number) => Promise<void>, seeds = SEEDS): void {
  for (const seed of seeds) it(`${name} [seed=${seed}]`, () => withSeed(seed, fn))
}

/** What the recorder answers to `{ get: true }`. */
export interface RecorderView {
  peer: string
  log: unknown[]
}

type RecorderMsg = {
  get?: true
  crash?: true
  stop?: ExitReason
  [k: string]: unknown
}

/**
 * An actor that keeps every message it is sent, in the order it handles them. `{ get }`
 * answers its log and the peer it runs on, `{ crash }` throws 'boom', `{ stop: reason }`
 * stops. With `jitter`, handling a message takes a random stretch of virtual time, so
 * mailboxes fill up while the actor is busy.
 */
export function recorder(peer: SimPeer, jitter?: Rng): ActorBehaviour<{ log: unknown[] }, RecorderMsg> {
  return {
    init: () => ({ log: [] }),
    async handle(msg, state, ctx) {
      if (msg.get === true) {
        ctx.reply({ peer: peer.id, log: state.log } satisfies RecorderView)
        return undefined
      }
      if (msg.crash === true) throw new Error('boom')
      if (msg.stop !== undefined) {
        ctx.stop(msg.stop)
        return undefined
      }
      if (jitter !== undefined && jitter.chance(0.3)) await peer.sleep(jitter.int(1, 15))
      return { log: [...state.log, msg] }
    }
  }
}

/** Every monitor callback, per monitor. */
export class DownLog {
  private readonly fired = new Map<string, string[]>()

  /** A callback for the monitor called `label`. */
  watch(label: string): (d: { pid: Pid; reason: ExitReason }) => void {
    this.fired.set(label, [])
    return ({ reason }) => this.fired.get(label)?.push(reason)
  }

  reasons(label: string): string[] {
    return this.fired.get(label) ?? []
  }

  all(): Record<string, string[]> {
    return Object.fromEntries(this.fired)
  }
}
