import { SensorError } from '../source.ts'
import { DriverError } from './errors.ts'
import type { BridgeMessage, DriverErrorReply, DriverResult } from './protocol.ts'
import type { DriverClock } from './types.ts'

interface Pending {
  resolve(result: DriverResult): void
  reject(error: Error): void
  dispose(): void
}

export interface RequestsInit {
  driver: string
  timeoutMs: number
  maxPending: number
  clock: DriverClock
  /** Write one message to the driver; throws `SensorError` when it cannot. */
  send(message: BridgeMessage): void
}

/** Requests in flight to one driver, by id: timeouts, cancellation, and matching replies. */
export class Requests {
  private readonly pending = new Map<number, Pending>()
  private nextId = 1

  constructor(private readonly init: RequestsInit) {}

  get size(): number {
    return this.pending.size
  }

  /** Send `build(id)` and wait for its reply. Rejects with `SensorError`, `DriverError` or the abort reason. */
  request(build: (id: number) => BridgeMessage, what: string, signal?: AbortSignal): Promise<DriverResult> {
    const { driver, timeoutMs, maxPending, clock } = this.init
    if (signal?.aborted === true) return Promise.reject(abortReason(signal))
    if (this.pending.size >= maxPending) {
      return Promise.reject(
        new SensorError(`driver ${driver}: ${maxPending} requests already in flight`, 'UNAVAILABLE')
      )
    }
    const id = this.nextId++
    return new Promise<DriverResult>((resolve, reject) => {
      const cancel = (error: Error): void => {
        if (!this.pending.has(id)) return
        pending.dispose()
        this.sendQuietly({ type: 'cancel', id })
        reject(error)
      }
      const onAbort = (): void => cancel(signal === undefined ? new Error('aborted') : abortReason(signal))
      const timer = clock.setTimeout(
        () => cancel(new SensorError(`driver ${driver}: ${what} timed out after ${timeoutMs} ms`, 'TIMEOUT')),
        timeoutMs
      )
      const pending: Pending = {
        resolve,
        reject,
        dispose: () => {
          this.pending.delete(id)
          clock.clearTimeout(timer)
          signal?.removeEventListener('abort', onAbort)
        }
      }
      this.pending.set(id, pending)
      signal?.addEventListener('abort', onAbort, { once: true })
      try {
        this.init.send(build(id))
      } catch (error) {
        pending.dispose()
        reject(error instanceof Error ? error : new Error(String(error)))
      }
    })
  }

  /** Match a reply to its request. `false` when nothing waits for it (late, cancelled or unknown). */
  settle(reply: DriverResult | DriverErrorReply): boolean {
    const pending = this.pending.get(reply.id)
    if (pending === undefined) return false
    pending.dispose()
    if (reply.type === 'result') pending.resolve(reply)
    else pending.reject(new DriverError(reply.message, this.init.driver, reply.code))
    return true
  }

  /** Whether `id` was ever handed out, to tell a late reply from a made-up one. */
  issued(id: number): boolean {
    return id < this.nextId
  }

  /** The driver went away: nothing in flight will be answered. */
  rejectAll(error: Error): void {
    for (const pending of [...this.pending.values()]) {
      pending.dispose()
      pending.reject(error)
    }
  }

  private sendQuietly(message: BridgeMessage): void {
    try {
      this.init.send(message)
    } catch {
      // The driver is gone; there is nothing left to cancel.
    }
  }
}

/** What a cancelled request rejects with: the signal's reason when it is an Error. */
function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason
  return reason instanceof Error ? reason : new DOMException('The operation was aborted', 'AbortError')
}
