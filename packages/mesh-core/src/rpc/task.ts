import { CancelledError, TooLargeError } from '../errors.ts'

/** Chunks a task may hold for a consumer that is not iterating yet. */
export const MAX_BUFFERED_CHUNKS = 10_000

/** What a running task reports to its handle. */
export interface TaskSink {
  setPeer(peer: string): void
  chunk(v: unknown): void
  progress(p: number): void
}

interface Waiter {
  resolve(r: IteratorResult<unknown>): void
  reject(e: unknown): void
}

/**
 * The handle `mesh.task()` returns: awaitable, cancellable, async-iterable over the
 * chunks the handler emits, with `progress` and `peer` events; `peer` tells which peer
 * runs the work once placement has chosen one (and changes when a retry moves it).
 */
export class Task<R> implements PromiseLike<R>, AsyncIterable<unknown> {
  private readonly promise: Promise<R>
  private readonly controller: AbortController
  private chosen: string | undefined
  private readonly chunks: unknown[] = []
  private readonly waiters: Waiter[] = []
  private ended = false
  private failure: Error | undefined
  private readonly listeners = {
    progress: new Set<(p: number) => void>(),
    peer: new Set<(p: string) => void>()
  }

  constructor(run: (signal: AbortSignal, sink: TaskSink) => Promise<R>, signal?: AbortSignal) {
    this.controller = new AbortController()
    if (signal !== undefined) {
      if (signal.aborted) this.controller.abort(signal.reason)
      else signal.addEventListener('abort', () => this.controller.abort(signal.reason), { once: true })
    }
    const sink: TaskSink = {
      setPeer: (p) => {
        this.chosen = p
        for (const fn of this.listeners.peer) fn(p)
      },
      chunk: (v) => this.push(v),
      progress: (p) => {
        for (const fn of this.listeners.progress) fn(p)
      }
    }
    this.promise = run(this.controller.signal, sink)
    this.promise.then(
      () => this.end(undefined),
      (err: unknown) => this.end(err ?? new Error('task failed'))
    )
  }

  /** The peer running the task, once placed. */
  get peer(): string | undefined {
    return this.chosen
  }

  /** Stop waiting, and tell the remote handler through its `ctx.signal`. */
  cancel(reason: Error = new CancelledError('cancelled')): void {
    this.controller.abort(reason)
  }

  /** `progress`: a fraction from 0 to 1 from `ctx.progress()`; `peer`: placed (again). */
  on(event: 'progress', fn: (fraction: number) => void): () => void
  on(event: 'peer', fn: (peer: string) => void): () => void
  on(event: 'progress' | 'peer', fn: (v: never) => void): () => void {
    const set = this.listeners[event] as Set<typeof fn>
    set.add(fn)
    return () => set.delete(fn)
  }

  then<A = R, B = never>(
    onfulfilled?: ((value: R) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null
  ): Promise<A | B> {
    return this.promise.then(onfulfilled, onrejected)
  }

  catch<B = never>(onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<R | B> {
    return this.promise.catch(onrejected)
  }

  finally(fn?: (() => void) | null): Promise<R> {
    return this.promise.finally(fn)
  }

  /** The emitted chunks in order; ends when the task settles, throws if it failed. */
  [Symbol.asyncIterator](): AsyncIterator<unknown> {
    return {
      next: () => {
        if (this.chunks.length > 0) return Promise.resolve({ value: this.chunks.shift(), done: false })
        if (this.ended) {
          if (this.failure !== undefined) return Promise.reject(this.failure)
          return Promise.resolve({ value: undefined, done: true })
        }
        return new Promise<IteratorResult<unknown>>((resolve, reject) =>
          this.waiters.push({ resolve, reject })
        )
      },
      return: () => {
        this.cancel()
        return Promise.resolve({ value: undefined, done: true })
      }
    }
  }

  private push(v: unknown): void {
    const w = this.waiters.shift()
    if (w !== undefined) return w.resolve({ value: v, done: false })
    if (this.chunks.length >= MAX_BUFFERED_CHUNKS) {
      this.cancel(new TooLargeError(`more than ${MAX_BUFFERED_CHUNKS} chunks buffered; iterate the task`))
      return
    }
    this.chunks.push(v)
  }

  private end(err: unknown): void {
    this.ended = true
    this.failure = err === undefined || err instanceof Error ? err : new Error('task failed', { cause: err })
    for (const w of this.waiters.splice(0)) {
      if (this.failure === undefined) w.resolve({ value: undefined, done: true })
      else w.reject(this.failure)
    }
  }
}
