/**
 * Seeds and a seeded PRNG for the simulated network. A run is reproducible from its
 * seed: `MESH_SIM_SEED=1234 npx vitest run packages/mesh-core/test/sim.test.ts`.
 */

/** mulberry32: a small, fast 32-bit PRNG; the same sequence for the same seed everywhere. */
export class Rng {
  private s: number

  constructor(seed: number) {
    this.s = seed >>> 0
  }

  /** A float in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0
    let t = this.s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1))
  }

  chance(p: number): boolean {
    return this.next() < p
  }

  pick<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new Error('pick from an empty list')
    return xs[this.int(0, xs.length - 1)] as T
  }

  shuffle<T>(xs: readonly T[]): T[] {
    const out = [...xs]
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i)
      ;[out[i], out[j]] = [out[j] as T, out[i] as T]
    }
    return out
  }

  /** An independent stream, so one consumer's draws do not shift another's. */
  fork(): Rng {
    return new Rng(Math.floor(this.next() * 4294967296))
  }
}

/** The seeds to run: `MESH_SIM_SEED` (one seed, or a comma-separated list), else `count` fixed ones. */
export function simSeeds(count: number, base = 0x5eed): number[] {
  const env = process.env.MESH_SIM_SEED
  if (env !== undefined && env.trim() !== '') {
    return env.split(',').map((s) => {
      const n = Number(s.trim())
      if (!Number.isSafeInteger(n) || n < 0) throw new Error(`MESH_SIM_SEED: bad seed ${s}`)
      return n
    })
  }
  return Array.from({ length: count }, (_, i) => base + i * 7919)
}

/** Run `fn`; any failure is rethrown with the seed in its message, to rerun it alone. */
export async function withSeed(seed: number, fn: (seed: number) => Promise<void>): Promise<void> {
  try {
    await fn(seed)
  } catch (err) {
    const hint = `seed=${seed} (rerun with MESH_SIM_SEED=${seed})`
    if (err instanceof Error) {
      err.message = `${hint}: ${err.message}`
      throw err
    }
    throw new Error(`${hint}: ${String(err)}`, { cause: err })
  }
}
