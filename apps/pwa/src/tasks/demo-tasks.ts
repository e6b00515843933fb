import type { CapabilityValue, TaskContext, TaskHandler } from 'mesh-core'

/** Answers with its arguments and who ran it. */
export const echoTaskName = 'demo.echo'
/** `{ ms }`: reports progress and answers after `ms`, unless the caller cancels first. */
export const slowTaskName = 'demo.slow'
export const demoTaskNames: readonly string[] = [echoTaskName, slowTaskName]

/** The longest `demo.slow` accepted: ten minutes. */
export const maxSlowMs = 600_000

/** How often `demo.slow` reports progress, at most. */
const progressStepMs = 250

/** What the demo tasks need from the mesh; a `Mesh` is one. */
export interface DemoComponents {
  readonly peerId: string
  readonly name: string
  define(name: string, handler: TaskHandler): void
}

/** Who ran a demo task, as the runner saw it: part of every answer. */
export interface Runner {
  id: string
  name: string
  /** `ctx.attempt`: 2 and up when a retry moved the task here. */
  attempt: number
  /** The caller's peer id. */
  from: string
}

/** The arguments of `demo.slow` are not `{ ms }` with `ms` a whole number from 0 to `maxSlowMs`. */
export class InvalidDemoArgsError extends Error {
  override name = 'InvalidDemoArgsError'
}

export function parseSlowArgs(args: unknown): { ms: number } {
  const ms = typeof args === 'object' && args !== null ? (args as Record<string, unknown>).ms : undefined
  if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 0 || ms > maxSlowMs) {
    throw new InvalidDemoArgsError(`demo.slow takes { ms }, a whole number from 0 to ${maxSlowMs}`)
  }
  return { ms }
}

/**
 * Whether the page was opened with `?demo` (any value but `0` or `false`): only then does
 * this peer offer the demo tasks from the start, so a plain console advertises `chat.post` alone.
 */
export function wantsDemoTasks(search: string): boolean {
  const value = new URLSearchParams(search).get('demo')
  return value !== null && value !== '0' && value !== 'false'
}

/** Whether a `tasks` capability lists both demo tasks. */
export function offersDemoTasks(tasks: CapabilityValue | undefined): boolean {
  return Array.isArray(tasks) && demoTaskNames.every((name) => tasks.includes(name))
}

function runner(mesh: DemoComponents, ctx: TaskContext): Runner {
  return { id: mesh.peerId, name: mesh.name, attempt: ctx.attempt, from: ctx.from }
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason
  return reason instanceof Error ? reason : new Error('cancelled')
}

/** Waits `ms`, reporting progress on the way; rejects as soon as `ctx.signal` aborts. */
export function waitWithProgress(ms: number, ctx: Pick<TaskContext, 'signal' | 'progress'>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const { signal } = ctx
    if (signal.aborted) return reject(abortReason(signal))
    const started = performance.now()
    const step = Math.max(20, Math.min(progressStepMs, ms / 10))
    const tick = setInterval(() => ctx.progress(Math.min(1, (performance.now() - started) / ms)), step)
    const stop = (): void => {
      clearInterval(tick)
      clearTimeout(done)
      signal.removeEventListener('abort', onAbort)
    }
    const onAbort = (): void => {
      stop()
      reject(abortReason(signal))
    }
    const done = setTimeout(() => {
      stop()
      ctx.progress(1)
      resolve()
    }, ms)
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

/** Defines `demo.echo` and `demo.slow` here; they are then advertised in `tasks`. */
export function defineDemoTasks(mesh: DemoComponents): void {
  mesh.define(echoTaskName, (args, ctx) => ({ echo: args ?? null, runner: runner(mesh, ctx) }))
  mesh.define(slowTaskName, async (args, ctx) => {
    const { ms } = parseSlowArgs(args)
    const started = performance.now()
    await waitWithProgress(ms, ctx)
    return { ms, elapsedMs: Math.round(performance.now() - started), runner: runner(mesh, ctx) }
  })
}
