import { MeshError, RefusedError, errorToWire } from '../errors.ts'
import type { TaskContext, TaskHandler } from '../types.ts'
import type { RpcFrame } from './frames.ts'
import type { Channel } from './transport.ts'

type Req = Extract<RpcFrame, { t: 'req' }>

export interface ServerInit {
  /** A request named a handler that is not defined here. */
  onUndefined(peer: string, name: string): void
}

/**
 * The answering side of `/mesh/rpc/1.0.0`: the handlers defined here, the requests they
 * are running, and how chunks, progress and results go back on the request's channel.
 */
export class Server {
  private readonly handlers = new Map<string, TaskHandler>()
  /** Handlers running for remote callers, by channel and request id, for cancellation. */
  private readonly running = new Map<Channel, Map<number, AbortController>>()

  constructor(private readonly init: ServerInit) {}

  define(name: string, handler: TaskHandler): void {
    this.handlers.set(name, handler)
  }

  undefine(name: string): void {
    this.handlers.delete(name)
  }

  has(name: string): boolean {
    return this.handlers.has(name)
  }

  names(): string[] {
    return [...this.handlers.keys()]
  }

  /** Run a handler defined here, as if a remote peer had asked. */
  async runLocal(name: string, args: unknown, ctx: TaskContext): Promise<unknown> {
    const h = this.handlers.get(name)
    if (h === undefined) throw new RefusedError(`no task "${name}" is defined here`)
    return await h(args, ctx)
  }

  cancel(channel: Channel, id: number): void {
    this.running.get(channel)?.get(id)?.abort(new MeshError('CANCELLED', 'cancelled by the caller'))
  }

  /** The channel closed: every handler it started is told through its signal. */
  closed(channel: Channel, reason: Error): void {
    const running = this.running.get(channel)
    if (running !== undefined) for (const c of running.values()) c.abort(reason)
    this.running.delete(channel)
  }

  abortAll(): void {
    for (const m of this.running.values()) for (const c of m.values()) c.abort()
  }

  /**
   * Start the handler synchronously (an actor's mailbox sees requests in frame order),
   * then answer once it settles.
   */
  serve(channel: Channel, peer: string, f: Req): void {
    const handler = this.handlers.get(f.name)
    if (handler === undefined) {
      this.init.onUndefined(peer, f.name)
      const e = errorToWire(new RefusedError(`no task "${f.name}" is defined here`))
      channel.send({ t: 'res', id: f.id, ok: false, e })
      return
    }
    const controller = new AbortController()
    let running = this.running.get(channel)
    if (running === undefined) {
      running = new Map()
      this.running.set(channel, running)
    }
    running.set(f.id, controller)
    const live = (): boolean => !controller.signal.aborted && channel.isOpen
    const ctx: TaskContext = {
      from: peer,
      signal: controller.signal,
      attempt: f.attempt,
      idempotencyKey: f.key,
      emit: (v) => {
        if (live()) channel.send({ t: 'chunk', id: f.id, v: v ?? null })
      },
      progress: (p) => {
        if (live() && p >= 0 && p <= 1) channel.send({ t: 'prog', id: f.id, p })
      }
    }
    let result: Promise<unknown>
    try {
      result = Promise.resolve(handler(f.args, ctx))
    } catch (err) {
      result = Promise.reject(err instanceof Error ? err : new Error(String(err)))
    }
    const done = (reply: RpcFrame): void => {
      running.delete(f.id)
      if (!live()) return
      try {
        channel.send(reply)
      } catch (err) {
        // The result was too large to send: say so instead.
        channel.send({ t: 'res', id: f.id, ok: false, e: errorToWire(err) })
      }
    }
    result.then(
      (v) => done({ t: 'res', id: f.id, ok: true, v: v ?? null }),
      (err: unknown) => done({ t: 'res', id: f.id, ok: false, e: errorToWire(err) })
    )
  }
}
