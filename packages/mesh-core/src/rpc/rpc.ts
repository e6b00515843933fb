import type { Connection, Stream } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'
import { RPC_PROTOCOL, DEFAULT_DIAL_TIMEOUT_MS } from '../constants.ts'
import {
  BadMessageError,
  CancelledError,
  MeshError,
  PeerLostError,
  RefusedError,
  StoppedError,
  TimeoutError,
  errorFromWire,
  errorToWire
} from '../errors.ts'
import type { Logger } from '../log.ts'
import { bestConnection } from '../membership/link.ts'
import type { TaskContext, TaskHandler } from '../types.ts'
import { FramedChannel } from '../wire/channel.ts'
import { parseRpcFrame } from './frames.ts'
import type { RpcFrame } from './frames.ts'

/** Resolve or reject with `p`, unless `signal` aborts first (then reject with a TimeoutError or its reason). */
function raceSignal<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError(signal))
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError(signal))
    signal.addEventListener('abort', onAbort, { once: true })
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort)
        resolve(v)
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(err instanceof Error ? err : new Error(String(err)))
      }
    )
  })
}

function abortError(signal: AbortSignal): Error {
  const r: unknown = signal.reason
  if (r instanceof DOMException && r.name === 'TimeoutError') return new TimeoutError('timed out')
  return r instanceof Error ? r : new CancelledError('cancelled')
}

export interface RpcInit {
  libp2p: Libp2p
  log: Logger
  maxMessageBytes: number
  /** Dial a peer we have no unlimited connection to (by its advertised addresses). */
  dial(peer: string, signal: AbortSignal): Promise<void>
  onBadInput(peer: string, err: Error): void
  /** A peer said goodbye with its signed 'leaving' record. */
  onBye(peer: string, record: Uint8Array): void
  /** Any well-formed frame is proof of life. */
  onAlive(peer: string): void
}

interface Pending {
  peer: string
  resolve(v: unknown): void
  reject(e: Error): void
  channel: FramedChannel
}

export interface CallOptions {
  timeoutMs: number
  signal?: AbortSignal | undefined
  attempt?: number
  key?: string
}

/**
 * `/mesh/rpc/1.0.0`: one long-lived outbound stream per peer, requests multiplexed on
 * it by id. Each side answers on the stream a request arrived on. Never runs over a
 * relayed (limited) connection: work moves over direct links only.
 */
export class Rpc {
  private readonly init: RpcInit
  private readonly handlers = new Map<string, TaskHandler>()
  private readonly outbound = new Map<string, Promise<FramedChannel>>()
  private readonly channels = new Set<FramedChannel>()
  private readonly pending = new Map<number, Pending>()
  /** Handlers running for remote callers, by channel and request id, for cancellation. */
  private readonly running = new Map<FramedChannel, Map<number, AbortController>>()
  private nextId = 1
  private stopped = false

  constructor(init: RpcInit) {
    this.init = init
  }

  async start(): Promise<void> {
    await this.init.libp2p.handle(RPC_PROTOCOL, this.onInbound, {
      runOnLimitedConnection: false,
      maxInboundStreams: 32
    })
  }

  async stop(): Promise<void> {
    this.stopped = true
    for (const p of this.pending.values()) p.reject(new StoppedError())
    this.pending.clear()
    for (const m of this.running.values()) for (const c of m.values()) c.abort()
    await Promise.allSettled([...this.channels].map((c) => c.close()))
  }

  define(name: string, handler: TaskHandler): void {
    this.handlers.set(name, handler)
  }

  undefine(name: string): void {
    this.handlers.delete(name)
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

  async call(peer: string, name: string, args: unknown, o: CallOptions): Promise<unknown> {
    const signal =
      o.signal === undefined
        ? AbortSignal.timeout(o.timeoutMs)
        : AbortSignal.any([o.signal, AbortSignal.timeout(o.timeoutMs)])
    const channel = await this.channelTo(peer, signal)
    const id = this.nextId++
    return await new Promise<unknown>((resolve, reject) => {
      const onAbort = (): void => {
        this.pending.delete(id)
        try {
          channel.send({ t: 'cancel', id })
        } catch {
          // the channel is gone; nothing to cancel
        }
        const reason: unknown = signal.reason
        if (reason instanceof DOMException && reason.name === 'TimeoutError') {
          reject(new TimeoutError(`task "${name}" timed out after ${o.timeoutMs} ms`))
        } else {
          reject(reason instanceof Error ? reason : new CancelledError('cancelled'))
        }
      }
      signal.addEventListener('abort', onAbort, { once: true })
      const settle = (fn: () => void): void => {
        signal.removeEventListener('abort', onAbort)
        fn()
      }
      this.pending.set(id, {
        peer,
        channel,
        resolve: (v) => settle(() => resolve(v)),
        reject: (e) => settle(() => reject(e))
      })
      try {
        channel.send({ t: 'req', id, name, args, attempt: o.attempt ?? 1, key: o.key ?? `${peer}:${id}` })
      } catch (err) {
        this.pending.delete(id)
        settle(() => reject(err instanceof Error ? err : new Error(String(err))))
      }
    })
  }

  /** Round trip of a ping frame on the RPC channel, in milliseconds. */
  async ping(peer: string, signal: AbortSignal): Promise<number> {
    const channel = await this.channelTo(peer, signal)
    const id = this.nextId++
    const start = performance.now()
    return await new Promise<number>((resolve, reject) => {
      const onAbort = (): void => {
        this.pending.delete(id)
        reject(new TimeoutError('ping timed out'))
      }
      signal.addEventListener('abort', onAbort, { once: true })
      this.pending.set(id, {
        peer,
        channel,
        resolve: () => {
          signal.removeEventListener('abort', onAbort)
          resolve(performance.now() - start)
        },
        reject: (e) => {
          signal.removeEventListener('abort', onAbort)
          reject(e)
        }
      })
      channel.send({ t: 'ping', id })
    })
  }

  /** Say goodbye to one peer, opening a channel if there is none yet. Never throws. */
  async sendBye(peer: string, record: Uint8Array, signal: AbortSignal): Promise<void> {
    try {
      const channel = await this.channelTo(peer, signal)
      channel.sendNow({ t: 'bye', id: 0, rec: record })
    } catch (err) {
      this.init.log('goodbye to %s failed: %s', peer, (err as Error).message)
    }
  }

  /**
   * Say goodbye on every open channel, synchronously: written before this returns, so
   * it leaves even when the page is being torn down.
   */
  broadcastBye(record: Uint8Array): void {
    for (const c of this.channels) {
      if (!c.isOpen) continue
      try {
        c.sendNow({ t: 'bye', id: 0, rec: record })
      } catch {
        // a channel closing under us: the others still get it
      }
    }
  }

  /**
   * The channel to a peer, opening it if needed. Opening has a lifetime of its own, so
   * one caller's short deadline (a ping's) never fails another caller's open; each
   * caller waits only as long as its own signal allows.
   */
  private channelTo(peer: string, signal: AbortSignal): Promise<FramedChannel> {
    if (this.stopped) return Promise.reject(new StoppedError())
    let p = this.outbound.get(peer)
    if (p === undefined) {
      p = this.open(peer, AbortSignal.timeout(DEFAULT_DIAL_TIMEOUT_MS))
      this.outbound.set(peer, p)
      p.catch(() => this.outbound.delete(peer))
    }
    return raceSignal(p, signal)
  }

  /** Open the RPC stream on the best direct connection, falling back to the others. */
  private async open(peer: string, signal: AbortSignal): Promise<FramedChannel> {
    const { libp2p } = this.init
    const direct = (): Connection[] =>
      libp2p
        .getConnections()
        .filter((c) => c.remotePeer.toString() === peer && c.status === 'open' && c.limits === undefined)
    if (direct().length === 0) await this.init.dial(peer, signal)
    let candidates = direct()
    const failures: string[] = []
    while (candidates.length > 0) {
      const conn = bestConnection(candidates, { allowLimited: false })
      if (conn === undefined) break
      try {
        const stream = await conn.newStream(RPC_PROTOCOL, { signal })
        return this.attach(stream, peer)
      } catch (err) {
        if (signal.aborted) throw err
        // A connection that cannot open a stream is likely dead; try the next one.
        failures.push(`${conn.remoteAddr.toString()}: ${(err as Error).message}`)
        candidates = candidates.filter((c) => c !== conn)
      }
    }
    throw new PeerLostError(
      `no direct connection to ${peer}${failures.length > 0 ? ` (${failures.join('; ')})` : ''}`
    )
  }

  private readonly onInbound = (stream: Stream, connection: Connection): void => {
    this.attach(stream, connection.remotePeer.toString())
  }

  private attach(stream: Stream, peer: string): FramedChannel {
    const channel: FramedChannel = new FramedChannel(stream, {
      maxFrameBytes: this.init.maxMessageBytes,
      onFrame: (value) => this.onFrame(channel, peer, value),
      onBadFrame: (err) => {
        this.init.log('reset rpc stream from %s: %s', peer, err.message)
        this.init.onBadInput(peer, err)
      },
      onClose: () => this.onChannelClose(channel, peer)
    })
    this.channels.add(channel)
    return channel
  }

  private onChannelClose(channel: FramedChannel, peer: string): void {
    this.channels.delete(channel)
    void this.outbound.get(peer)?.then(
      (c) => {
        if (c === channel) this.outbound.delete(peer)
      },
      () => {}
    )
    for (const [id, p] of this.pending) {
      if (p.channel === channel) {
        this.pending.delete(id)
        p.reject(new PeerLostError(`connection to ${peer} closed`))
      }
    }
    const running = this.running.get(channel)
    if (running !== undefined)
      for (const c of running.values()) c.abort(new PeerLostError('caller went away'))
    this.running.delete(channel)
  }

  private onFrame(channel: FramedChannel, peer: string, value: unknown): void {
    const frame = parseRpcFrame(value)
    if (typeof frame === 'string') {
      const err = new BadMessageError(frame)
      this.init.log('bad rpc frame from %s: %s', peer, frame)
      this.init.onBadInput(peer, err)
      // Answer what we can: a frame with a usable id gets a typed error back.
      const id = (value as { id?: unknown } | null)?.id
      if (typeof id === 'number' && Number.isSafeInteger(id)) {
        channel.send({ t: 'res', id, ok: false, e: errorToWire(err) })
      }
      return
    }
    this.init.onAlive(peer)
    this.dispatch(channel, peer, frame)
  }

  private dispatch(channel: FramedChannel, peer: string, f: RpcFrame): void {
    switch (f.t) {
      case 'req':
        void this.serve(channel, peer, f)
        return
      case 'res': {
        const p = this.pending.get(f.id)
        if (p === undefined || p.channel !== channel) return
        this.pending.delete(f.id)
        if (f.ok) p.resolve(f.v)
        else p.reject(errorFromWire(f.e))
        return
      }
      case 'cancel':
        this.running.get(channel)?.get(f.id)?.abort(new MeshError('CANCELLED', 'cancelled by the caller'))
        return
      case 'ping':
        channel.send({ t: 'pong', id: f.id })
        return
      case 'bye':
        this.init.onBye(peer, f.rec)
        return
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

  private async serve(
    channel: FramedChannel,
    peer: string,
    f: Extract<RpcFrame, { t: 'req' }>
  ): Promise<void> {
    const handler = this.handlers.get(f.name)
    if (handler === undefined) {
      this.init.onBadInput(peer, new RefusedError(`undefined task ${f.name}`))
      channel.send({
        t: 'res',
        id: f.id,
        ok: false,
        e: errorToWire(new RefusedError(`no task "${f.name}" is defined here`))
      })
      return
    }
    const controller = new AbortController()
    let running = this.running.get(channel)
    if (running === undefined) {
      running = new Map()
      this.running.set(channel, running)
    }
    running.set(f.id, controller)
    const ctx: TaskContext = {
      from: peer,
      signal: controller.signal,
      attempt: f.attempt,
      idempotencyKey: f.key
    }
    let reply: RpcFrame
    try {
      const v = await handler(f.args, ctx)
      reply = { t: 'res', id: f.id, ok: true, v: v ?? null }
    } catch (err) {
      reply = { t: 'res', id: f.id, ok: false, e: errorToWire(err) }
    } finally {
      running.delete(f.id)
    }
    if (controller.signal.aborted || !channel.isOpen) return
    try {
      channel.send(reply)
    } catch (err) {
      // The result was too large to send: say so instead.
      channel.send({ t: 'res', id: f.id, ok: false, e: errorToWire(err) })
    }
  }
}
