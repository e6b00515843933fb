import type { DriverSettings } from './init.ts'
import { LineSplitter, decodeUtf8 } from './lines.ts'
import type { LineEvent } from './lines.ts'
import { spawnDriver, terminateDriver } from './process.ts'
import type { DriverProcess, ProcessExit } from './process.ts'
import { parseDriverLine } from './protocol.ts'
import type { DriverMessage } from './protocol.ts'
import type { DriverClock } from './types.ts'

export const realClock: DriverClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>)
}

export interface IncarnationHandlers {
  /** A line that passed `parseDriverLine`. */
  message(message: DriverMessage, text: string): void
  /** A line that did not: not UTF-8, not JSON, the wrong shape, or too long. */
  reject(reason: string, raw: string | Uint8Array): void
  stderr(text: string): void
  /** It did not exit in time, and gets `signal`. */
  signal(signal: NodeJS.Signals): void
}

/**
 * One run of a driver process, from spawn to exit: its stdio turned into checked
 * messages, and the per-run state (hello deadline, uptime, garbage window).
 */
export class Incarnation {
  state: 'starting' | 'up' | 'closing' = 'starting'
  helloTimer: unknown
  upAt: number | undefined
  readonly proc: DriverProcess
  private garbageTimes: number[] = []
  private terminating: Promise<ProcessExit> | undefined

  constructor(
    private readonly settings: DriverSettings,
    private readonly clock: DriverClock,
    private readonly handlers: IncarnationHandlers
  ) {
    const { command, args, env, cwd, maxLineBytes } = settings
    this.proc = spawnDriver({ command, args, env, cwd })
    const onLine = (event: LineEvent): void => {
      // Once it is being taken down, nothing it says matters any more.
      if (this.state !== 'closing') this.onLine(event, handlers)
    }
    const stdout = new LineSplitter(maxLineBytes, onLine)
    const stderr = new LineSplitter(maxLineBytes, (event) => {
      const bytes = event.kind === 'line' ? event.bytes : event.head
      const text = new TextDecoder().decode(bytes)
      if (text.trim() !== '') handlers.stderr(event.kind === 'line' ? text : `${text}…`)
    })
    const { stdout: out, stderr: err } = this.proc.child
    out.on('data', (chunk: Buffer) => stdout.push(chunk))
    out.on('end', () => stdout.end())
    err.on('data', (chunk: Buffer) => stderr.push(chunk))
    err.on('end', () => stderr.end())
  }

  get pid(): number | undefined {
    return this.proc.child.pid
  }

  /** Write a line, if the process can still take one. */
  write(line: string): boolean {
    const stdin = this.proc.child.stdin
    if (!stdin.writable) return false
    stdin.write(line)
    return true
  }

  /** Count a rejected line; `true` once the window holds more than the driver is allowed. */
  countGarbage(): boolean {
    const now = this.clock.now()
    const { max, windowMs } = this.settings.garbage
    this.garbageTimes = this.garbageTimes.filter((at) => now - at < windowMs)
    this.garbageTimes.push(now)
    return this.garbageTimes.length > max
  }

  get garbageCount(): number {
    return this.garbageTimes.length
  }

  /** Close stdin, then SIGTERM, then SIGKILL; once, however often it is asked. */
  terminate(): Promise<ProcessExit> {
    this.terminating ??= terminateDriver(this.proc, this.settings.killGraceMs, this.clock, (signal) =>
      this.handlers.signal(signal)
    )
    return this.terminating
  }

  private onLine(event: LineEvent, handlers: IncarnationHandlers): void {
    if (event.kind === 'oversized') {
      handlers.reject(`line of ${event.bytes} bytes is longer than ${this.settings.maxLineBytes}`, event.head)
      return
    }
    const text = decodeUtf8(event.bytes)
    if (text === undefined) return handlers.reject('not UTF-8 text', event.bytes)
    if (text.trim() === '') return
    const parsed = parseDriverLine(text)
    if (!parsed.ok) return handlers.reject(parsed.error, text)
    handlers.message(parsed.value, text)
  }
}
