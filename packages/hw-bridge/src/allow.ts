import type { AllowRule } from './config.ts'

/** A task call the allow-list refused. */
export class ForbiddenError extends Error {
  readonly code = 'FORBIDDEN'
  constructor(task: string, peer: string) {
    super(`peer ${peer} may not call ${task} on this device (see the bridge config's "allow")`)
    this.name = 'ForbiddenError'
  }
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*')
  return new RegExp(`^${body}$`)
}

const stars = (key: string): number => key.split('*').length - 1

/**
 * The allow-list of the bridge config: which peers may call which tasks. Keys are task
 * names or globs (`sensor.*`, `*`); the most specific key that matches decides (fewest
 * `*`, then the longest), and a task no key matches is refused. No list: all allowed.
 */
export class AllowList {
  private readonly rules: Array<{ key: string; re: RegExp; peers: AllowRule }>
  private readonly open: boolean

  constructor(rules: Record<string, AllowRule> | undefined) {
    this.rules =
      rules === undefined
        ? []
        : Object.entries(rules)
            .map(([key, peers]) => ({ key, re: globToRegExp(key), peers }))
            .sort((a, b) => stars(a.key) - stars(b.key) || b.key.length - a.key.length)
    this.open = rules === undefined
  }

  allows(task: string, peer: string): boolean {
    if (this.open) return true
    const rule = this.rules.find((r) => r.re.test(task))
    if (rule === undefined) return false
    return rule.peers === '*' || rule.peers.includes(peer)
  }

  /** Throw `ForbiddenError` unless `peer` may call `task`. */
  check(task: string, peer: string): void {
    if (!this.allows(task, peer)) throw new ForbiddenError(task, peer)
  }
}
