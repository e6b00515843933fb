import { spawn } from 'node:child_process'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import type { DriverClock } from './types.ts'

export interface SpawnSpec {
  command: string
  args: string[]
  env: Record<string, string> | undefined
  cwd: string | undefined
}

export interface DriverProcess {
  readonly child: ChildProcessWithoutNullStreams
  /** Resolves once the process is gone (or never started), with how it ended. */
  readonly exited: Promise<ProcessExit>
}

export interface ProcessExit {
  code: number | null
  signal: NodeJS.Signals | null
  /** Set when the process could not be started at all (`ENOENT`, `EACCES`). */
  error?: Error
}

/** Start a driver with piped stdio. Never throws: a failed spawn shows as an early exit. */
export function spawnDriver(spec: SpawnSpec): DriverProcess {
  const child = spawn(spec.command, spec.args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(spec.cwd !== undefined ? { cwd: spec.cwd } : {}),
    env: { ...process.env, ...spec.env },
    windowsHide: true
  })
  const exited = new Promise<ProcessExit>((resolve) => {
    let spawnError: Error | undefined
    child.once('error', (error) => {
      spawnError = error
      // 'close' does not follow when the spawn itself failed.
      if (child.pid === undefined) resolve({ code: null, signal: null, error })
    })
    // 'close' rather than 'exit': by then stdout is drained, so no line is lost.
    child.once('close', (code, signal) =>
      resolve({ code, signal, ...(spawnError !== undefined ? { error: spawnError } : {}) })
    )
  })
  // A driver that exits while we write would otherwise raise EPIPE as an uncaught error.
  child.stdin.on('error', () => {})
  return { child, exited }
}

/**
 * End a driver the polite way: close its stdin (the protocol's "please exit"), then
 * SIGTERM after `graceMs`, then SIGKILL after another `graceMs`. Signals go to the pid
 * we spawned, and only while it is still ours (not yet reaped).
 */
export async function terminateDriver(
  proc: DriverProcess,
  graceMs: number,
  clock: DriverClock,
  onSignal: (signal: NodeJS.Signals) => void = () => {}
): Promise<ProcessExit> {
  proc.child.stdin.end()
  const steps: NodeJS.Signals[] = ['SIGTERM', 'SIGKILL']
  for (const signal of steps) {
    const timedOut = await raceTimer(proc.exited, graceMs, clock)
    if (!timedOut) return proc.exited
    if (proc.child.exitCode === null && proc.child.signalCode === null) {
      onSignal(signal)
      proc.child.kill(signal)
    }
  }
  return proc.exited
}

/** `true` when `ms` passed before `promise` settled. */
async function raceTimer(promise: Promise<unknown>, ms: number, clock: DriverClock): Promise<boolean> {
  let handle: unknown
  const timer = new Promise<boolean>((resolve) => {
    handle = clock.setTimeout(() => resolve(true), ms)
  })
  try {
    return await Promise.race([promise.then(() => false), timer])
  } finally {
    clock.clearTimeout(handle)
  }
}
