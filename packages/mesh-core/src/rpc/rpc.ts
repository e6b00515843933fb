import { DEFAULT_DIAL_TIMEOUT_MS } from '../constants.ts'
import {
  BadMessageError,
  CancelledError,
  PeerLostError,
  RefusedError,
  StoppedError,
  TimeoutError,
  errorFromWire,
  errorToWire
} from '../errors.ts'
import type { Logger } from '../log.ts'
import type { TaskContext, TaskHandler } from '../types.ts'
import { parseRpcFrame } from './frames.ts'
import type { RpcFrame } from './frames.ts'
import { Server } from './serve.ts'
import type { Channel, MakeChannel, RpcTransport } from './transport.ts'

function abortError(signal: AbortSignal, what: string, ms?: number): Error {
  const r: unknown = signal.reason
  if (r instanceof DOMException && r.name === 'TimeoutError')
    return new TimeoutError(ms === undefined ? `${what} timed out` : `${what} timed out after ${ms} ms`)
  if (r instanceof DOMException && r.name === 'AbortError') return new CancelledError('cancelled')
  return r instanceof Error ? r : new CancelledError('cancelled')
}

export interface RpcInit {
  transport: RpcTransport
  log: Logger
  onBadInput(peer: string, err: Error): void
  /** A peer said goodbye with its signed 'leaving' record. */
  onBye(peer: string, record: Uint8Array): void
  /** Any well-formed frame is proof of life. */
  onAlive(peer: string): void
  /** A one-way message for the actor layer; `body` is not validated yet. */
  onCast?(peer: string, kind: string, body: unknown): void
  /**
   * Our outbound channel to `peer` closed: what we last wrote on it may be lost (monitor
   * and link requests among it), as on an Erlang disconnect.
   */
  onDisconnect?(peer: string): void
}

interface Pending {
  peer: string
  channel: Channel
  resolve(v: unknown): void
  reject(e: Error): void
  chunk?: ((v: unknown) => void) | undefined
  progress?: ((p: number) => void) | undefined
}

export interface CallOptions {
  timeoutMs: number
  signal?: AbortSignal | undefined
  attempt?: number
  key?: string
  onChunk?: (v: unknown) => void
  onProgress?: (p: number) => void
}

/** What waits for a channel that is still opening, in the order it was asked. */
type Queued = { run(c: Channel): void; fail(e: Error): void }

/**
 * `/mesh/rpc/1.0.0`: one long-lived outbound channel per peer, requests multiplexed on
 * it by id, one-way casts in between. Everything sent to one peer leaves in the order it
 * was asked for, even while the channel is still opening. Each side answers on the
 * channel a request arrived on.
 */
export class Rpc {
  private readonly init: RpcInit
  private readonly server: Server
  /** Open outbound channels. */
  private readonly ready = new Map<string, Channel>()
  /** Peers whose outbound channel is opening, with what waits for it. */
  private readonly opening = new Map<string, Queued[]>()
  /** Every open channel, ours and the ones peers opened, with its peer. */
  private readonly channels = new Map<Channel, string>()
  private readonly pending = new Map<number, Pending>()
  private nextId = 1
  private stopped = false

  constructor(init: RpcInit) {
    this.init = init
    this.server = new Server({
      onUndefined: (peer, name) => this.init.onBadInput(peer, new RefusedError(`undefined task ${name}`))
    })
  }

  async start(): Promise<void> {
    await this.init.transport.listen((peer, make) => void this.attach(make, peer))
  }

  async stop(): Promise<void> {
    this.stopped = true
    for (const p of this.pending.values()) p.reject(new StoppedError())
    this.pending.clear()
    for (const q of this.opening.values()) for (const w of q) w.fail(new StoppedError())
    this.opening.clear()
    this.server.abortAll()
    await Promise.allSettled([...this.channels.keys()].map((c) => c.close()))
  }

  define(name: string, handler: TaskHandler): void {
    this.server.define(name, handler)
  }

  undefine(name: string): void {
    this.server.undefine(name)
  }

  has(name: string): boolean {
    return this.server.has(name)
  }

  names(): string[] {
    return this.server.names()
  }

  runLocal(name: string, args: unknown, ctx: TaskContext): Promise<unknown> {
    return this.server.runLocal(name, args, ctx)
  }

  /** A peer is gone (the failure detector says so): fail what waits on it now. */
  peerLost(peer: string, why = 'peer is down'): void {
    for (const [id, p] of this.pending) {
      if (p.peer !== peer) continue
      this.pending.delete(id)
      p.reject(new PeerLostError(`${peer}: ${why}`))
    }
    // Its stream may still look open; what we wrote to it now would be lost without a word.
    const c = this.ready.get(peer)
    if (c !== undefined) {
      this.ready.delete(peer)
      void c.close()
    }
  }

  async call(peer: string, name: string, args: unknown, o: CallOptions): Promise<unknown> {
    const id = this.nextId++
    return await this.request(peer, o.signal, `task "${name}"`, o.timeoutMs, id, {
      frame: { t: 'req', id, name, args, attempt: o.attempt ?? 1, key: o.key ?? `${peer}:${id}` },
      chunk: o.onChunk,
      progress: o.onProgress
    })
  }

  /** Round trip of a ping frame on the RPC channel, in milliseconds. */
  async ping(peer: string, signal: AbortSignal): Promise<number> {
    const id = this.nextId++
    const start = performance.now()
    await this.request(peer, signal, 'ping', undefined, id, { frame: { t: 'ping', id } })
    return performance.now() - start
  }

  /** A one-way message in order with all else sent to `peer`: resolves once written, rejects with no channel. */
  cast(peer: string, kind: string, body: unknown): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.withChannel(peer, {
        run: (c) => {
          try {
            c.send({ t: 'cast', id: 0, k: kind, b: body })
            resolve()
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)))
          }
        },
        fail: reject
      })
    })
  }

  /** A cast written before this returns, on an open channel (a closing page cannot dial); false if not sent. */
  castNow(peer: string, kind: string, body: unknown): boolean {
    const theirs = [...this.channels].flatMap(([c, p]) => (p === peer ? [c] : []))
    const c = [this.ready.get(peer), ...theirs].find((c) => c?.isOpen === true)
    if (this.stopped || c === undefined) return false
    try {
      c.sendNow({ t: 'cast', id: 0, k: kind, b: body })
      return true
    } catch (err) {
      this.init.log('cast %s to %s not sent: %s', kind, peer, (err as Error).message)
      return false
    }
  }

  /** Say goodbye to one peer, opening a channel if there is none yet. Never throws. */
  async sendBye(peer: string, record: Uint8Array, signal: AbortSignal): Promise<void> {
    try {
      await new Promise<void>((resolve, reject) => {
        signal.addEventListener('abort', () => reject(abortError(signal, 'goodbye')), { once: true })
        this.withChannel(peer, {
          run: (c) => {
            c.sendNow({ t: 'bye', id: 0, rec: record })
            resolve()
          },
          fail: reject
        })
      })
    } catch (err) {
      this.init.log('goodbye to %s failed: %s', peer, (err as Error).message)
    }
  }

  /** Say goodbye on every open channel, written before this returns (a page being torn down). */
  broadcastBye(record: Uint8Array): void {
    for (const c of this.channels.keys()) {
      if (!c.isOpen) continue
      try {
        c.sendNow({ t: 'bye', id: 0, rec: record })
      } catch {
        // a channel closing under us: the others still get it
      }
    }
  }

  /**
   * Send a request and wait for its answer, until the caller's signal aborts or `ms`
   * pass. One timer per call, not an AbortSignal.timeout: the signals and their
   * listeners were the largest cost of a pipelined call.
   */
  private request(
    peer: string,
    signal: AbortSignal | undefined,
    what: string,
    ms: number | undefined,
    id: number,
    r: {
      frame: RpcFrame
      chunk?: ((v: unknown) => void) | undefined
      progress?: ((p: number) => void) | undefined
    }
  ): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      if (signal?.aborted === true) return reject(abortError(signal, what, ms))
      let channel: Channel | undefined
      let done = false
      let timer: ReturnType<typeof setTimeout> | undefined
      const finish = (fn: () => void): void => {
        if (done) return
        done = true
        signal?.removeEventListener('abort', onAbort)
        if (timer !== undefined) clearTimeout(timer)
        fn()
      }
      const giveUp = (err: Error): void => {
        if (done) return
        this.pending.delete(id)
        if (channel !== undefined && r.frame.t === 'req') {
          try {
            channel.send({ t: 'cancel', id })
          } catch {
            // the channel is gone; nothing to cancel
          }
        }
        finish(() => reject(err))
      }
      const onAbort = (): void => giveUp(abortError(signal as AbortSignal, what, ms))
      signal?.addEventListener('abort', onAbort, { once: true })
      if (ms !== undefined)
        timer = setTimeout(() => giveUp(new TimeoutError(`${what} timed out after ${ms} ms`)), ms)
      this.withChannel(peer, {
        run: (c) => {
          if (done) return
          channel = c
          this.pending.set(id, {
            peer,
            channel: c,
            resolve: (v) => finish(() => resolve(v)),
            reject: (e) => finish(() => reject(e)),
            chunk: r.chunk,
            progress: r.progress
          })
          try {
            c.send(r.frame)
          } catch (err) {
            this.pending.delete(id)
            finish(() => reject(err instanceof Error ? err : new Error(String(err))))
          }
        },
        fail: (e) => finish(() => reject(e))
      })
    })
  }

  /**
   * Run `w` with the outbound channel to `peer`: at once when it is open, else after it
   * opens, in the order asked. Opening has a lifetime of its own, so one caller's short
   * deadline never fails another caller's open.
   */
  private withChannel(peer: string, w: Queued): void {
    if (this.stopped) return w.fail(new StoppedError())
    const open = this.ready.get(peer)
    if (open !== undefined && open.isOpen) return w.run(open)
    const queue = this.opening.get(peer)
    if (queue !== undefined) return void queue.push(w)
    const waiting: Queued[] = [w]
    this.opening.set(peer, waiting)
    this.init.transport.open(peer, AbortSignal.timeout(DEFAULT_DIAL_TIMEOUT_MS)).then(
      (make) => {
        this.opening.delete(peer)
        if (this.stopped) return waiting.forEach((q) => q.fail(new StoppedError()))
        const c = this.attach(make, peer)
        this.ready.set(peer, c)
        for (const q of waiting) q.run(c)
      },
      (err: unknown) => {
        this.opening.delete(peer)
        const e = err instanceof PeerLostError ? err : new PeerLostError(`${peer}: ${(err as Error).message}`)
        for (const q of waiting) q.fail(e)
      }
    )
  }

  private attach(make: MakeChannel, peer: string): Channel {
    const channel: Channel = make({
      onFrame: (value) => this.onFrame(channel, peer, value),
      onBadFrame: (err) => {
        this.init.log('reset rpc stream from %s: %s', peer, err.message)
        this.init.onBadInput(peer, err)
      },
      onClose: () => this.onChannelClose(channel, peer)
    })
    this.channels.set(channel, peer)
    return channel
  }

  private onChannelClose(channel: Channel, peer: string): void {
    this.channels.delete(channel)
    const outbound = this.ready.get(peer) === channel
    if (outbound) this.ready.delete(peer)
    for (const [id, p] of this.pending) {
      if (p.channel === channel) {
        this.pending.delete(id)
        p.reject(new PeerLostError(`connection to ${peer} closed`))
      }
    }
    this.server.closed(channel, new PeerLostError('caller went away'))
    if (outbound && !this.stopped) this.init.onDisconnect?.(peer)
  }

  private onFrame(channel: Channel, peer: string, value: unknown): void {
    const frame = parseRpcFrame(value)
    if (typeof frame === 'string') {
      const err = new BadMessageError(frame)
      this.init.log('bad rpc frame from %s: %s', peer, frame)
      this.init.onBadInput(peer, err)
      // Answer what we can: a frame with a usable id gets a typed error back.
      const id = (value as { id?: unknown } | null)?.id
      if (typeof id === 'number' && Number.isSafeInteger(id) && id > 0) {
        channel.send({ t: 'res', id, ok: false, e: errorToWire(err) })
      }
      return
    }
    this.init.onAlive(peer)
    this.dispatch(channel, peer, frame)
  }

  private dispatch(channel: Channel, peer: string, f: RpcFrame): void {
    switch (f.t) {
      case 'req':
        return this.server.serve(channel, peer, f)
      case 'res': {
        const p = this.pending.get(f.id)
        if (p === undefined || p.channel !== channel) return
        this.pending.delete(f.id)
        if (f.ok) p.resolve(f.v)
        else p.reject(errorFromWire(f.e))
        return
      }
      case 'chunk':
      case 'prog': {
        const p = this.pending.get(f.id)
        if (p === undefined || p.channel !== channel) return
        if (f.t === 'chunk') p.chunk?.(f.v)
        else p.progress?.(f.p)
        return
      }
      case 'cast':
        return this.init.onCast?.(peer, f.k, f.b)
      case 'cancel':
        return this.server.cancel(channel, f.id)
      case 'ping':
        return channel.send({ t: 'pong', id: f.id })
      case 'bye':
        return this.init.onBye(peer, f.rec)
      case 'pong': {
        const p = this.pending.get(f.id)
        if (p !== undefined && p.channel === channel) {
          this.pending.delete(f.id)
          p.resolve(undefined)
        }
        return
      }
    }
  }
}
