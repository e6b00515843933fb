import { DEFAULT_TASK_TIMEOUT_MS } from '../constants.ts'
import { CancelledError, MeshError, NoCapablePeerError, TimeoutError } from '../errors.ts'
import { rendezvous } from '../placement/hash.ts'
import { Task } from '../rpc/task.ts'
import type { TaskSink } from '../rpc/task.ts'
import type { Needs, TaskOptions } from '../types.ts'
import type { WorkEnv } from './env.ts'

export interface MapReduceOptions<R, A> {
  /** Tasks in flight on one peer at a time. @default 4 */
  concurrencyPerPeer?: number
  /** Times one item may move to another peer when its peer is lost. @default 2 */
  retries?: number
  /** Per item. @default 30_000 */
  timeoutMs?: number
  signal?: AbortSignal
  /** Fold the results in item order; without it the results come back as a list. */
  reduce?: (acc: A, result: R, index: number) => A
  initial?: A
}

/** Whether a failure means the peer went away (worth a retry elsewhere). */
export function isPeerLoss(err: unknown): boolean {
  return err instanceof MeshError && err.code === 'PEER_LOST'
}

function deadlineError(signal: AbortSignal, what: string, ms: number): Error {
  const r: unknown = signal.reason
  if (r instanceof DOMException && r.name === 'TimeoutError')
    return new TimeoutError(`${what} timed out after ${ms} ms`)
  if (r instanceof DOMException && r.name === 'AbortError') return new CancelledError('cancelled')
  return r instanceof Error ? r : new CancelledError('cancelled')
}

/** Tasks: placement, at-most-once or at-least-once delivery, streams and map-reduce. */
export class TaskRunner {
  /** Idempotency keys: a random prefix per runner and a counter, unique without a UUID per task. */
  private readonly keyPrefix: string
  private keys = 0

  constructor(private readonly env: WorkEnv) {
    this.keyPrefix = `${env.self}:${crypto.randomUUID().slice(0, 8)}:`
  }

  /** Capable peers for task `name`, best first, or by rendezvous weight for `hash`. */
  candidates(needs: Needs, name: string, hash?: string): string[] {
    const ranked = this.env.rank({ ...needs, tasks: name })
    return hash === undefined ? ranked : rendezvous(hash, ranked)
  }

  run<R>(needs: Needs, name: string, args: unknown, o: TaskOptions = {}): Task<R> {
    return new Task<R>((signal, sink) => this.attempts<R>(needs, name, args, o, signal, sink), o.signal)
  }

  private async attempts<R>(
    needs: Needs,
    name: string,
    args: unknown,
    o: TaskOptions,
    signal: AbortSignal,
    sink: TaskSink
  ): Promise<R> {
    const { env } = this
    const timeoutMs = o.timeoutMs ?? DEFAULT_TASK_TIMEOUT_MS
    const end = env.now() + timeoutMs
    const retries = Math.max(0, Math.floor(o.retries ?? 0))
    const key = `${this.keyPrefix}${(this.keys++).toString(36)}`
    const tried = new Set<string>()
    for (let attempt = 1; ; attempt++) {
      const target = o.peer ?? this.candidates(needs, name, o.placement?.hash).find((p) => !tried.has(p))
      if (target === undefined) {
        const after = attempt > 1 ? ` after ${attempt - 1} lost attempt(s)` : ''
        throw new NoCapablePeerError(`no peer offers task "${name}" with ${JSON.stringify(needs)}${after}`)
      }
      sink.setPeer(target)
      const left = Math.max(1, end - env.now())
      try {
        if (target === env.self) return (await this.local(name, args, attempt, key, left, signal, sink)) as R
        return (await env.rpc.call(target, name, args, {
          timeoutMs: left,
          signal,
          attempt,
          key,
          onChunk: (v) => sink.chunk(v),
          onProgress: (p) => sink.progress(p)
        })) as R
      } catch (err) {
        if (!isPeerLoss(err) || attempt > retries || o.peer !== undefined || signal.aborted) throw err
        env.log(
          'task %s: attempt %d on %s lost (%s); retrying',
          name,
          attempt,
          target,
          (err as Error).message
        )
        tried.add(target)
      }
    }
  }

  private local(
    name: string,
    args: unknown,
    attempt: number,
    key: string,
    ms: number,
    caller: AbortSignal,
    sink: TaskSink
  ): Promise<unknown> {
    const signal = AbortSignal.any([caller, AbortSignal.timeout(ms)])
    const run = this.env.rpc.runLocal(name, args, {
      from: this.env.self,
      signal,
      attempt,
      idempotencyKey: key,
      emit: (v) => {
        if (!signal.aborted) sink.chunk(v ?? null)
      },
      progress: (p) => {
        if (!signal.aborted && p >= 0 && p <= 1) sink.progress(p)
      }
    })
    return new Promise((resolve, reject) => {
      const onAbort = (): void => reject(deadlineError(signal, `task "${name}"`, ms))
      if (signal.aborted) return onAbort()
      signal.addEventListener('abort', onAbort, { once: true })
      run.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
    })
  }

  /**
   * Fan `items` out over the peers that offer `name` with `needs`, at most
   * `concurrencyPerPeer` in flight on each; an item whose peer is lost moves to another.
   * Results come back in item order, or folded with `reduce`.
   */
  async mapReduce<T, R, A = R[]>(
    needs: Needs,
    name: string,
    items: readonly T[],
    o: MapReduceOptions<R, A> = {}
  ): Promise<A> {
    const per = Math.max(1, Math.floor(o.concurrencyPerPeer ?? 4))
    const maxMoves = Math.max(0, Math.floor(o.retries ?? 2))
    const results = new Array<R>(items.length)
    const queue = items.map((_, i) => i)
    const moves = new Array<number>(items.length).fill(0)
    const lost = new Set<string>()
    let failure: unknown
    const worker = async (peer: string): Promise<void> => {
      while (failure === undefined && !lost.has(peer)) {
        const i = queue.shift()
        if (i === undefined) return
        try {
          const opts: TaskOptions = { peer, timeoutMs: o.timeoutMs ?? DEFAULT_TASK_TIMEOUT_MS }
          if (o.signal !== undefined) opts.signal = o.signal
          results[i] = await this.run<R>(needs, name, items[i], opts)
        } catch (err) {
          if (!isPeerLoss(err) || (moves[i] ?? 0) >= maxMoves) {
            failure ??= err
            return
          }
          moves[i] = (moves[i] ?? 0) + 1
          lost.add(peer)
          queue.unshift(i)
        }
      }
    }
    while (queue.length > 0 && failure === undefined) {
      const peers = this.candidates(needs, name).filter((p) => !lost.has(p))
      if (peers.length === 0) throw new NoCapablePeerError(`no peer offers task "${name}" for map-reduce`)
      await Promise.all(peers.flatMap((p) => Array.from({ length: per }, () => worker(p))))
    }
    if (failure !== undefined)
      throw failure instanceof Error ? failure : new Error('map-reduce failed', { cause: failure })
    if (o.reduce === undefined) return results as unknown as A
    let acc = o.initial as A
    results.forEach((r, i) => (acc = o.reduce!(acc, r, i)))
    return acc
  }
}
