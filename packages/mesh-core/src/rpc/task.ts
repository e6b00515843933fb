/**
 * The handle `mesh.task()` returns: awaitable, cancellable, and it tells which peer runs
 * the work once placement has chosen one.
 */
export class Task<R> implements PromiseLike<R> {
  private readonly promise: Promise<R>
  private readonly controller: AbortController
  private chosen: string | undefined

  constructor(run: (signal: AbortSignal, setPeer: (p: string) => void) => Promise<R>, signal?: AbortSignal) {
    this.controller = new AbortController()
    if (signal !== undefined) {
      if (signal.aborted) this.controller.abort(signal.reason)
      else signal.addEventListener('abort', () => this.controller.abort(signal.reason), { once: true })
    }
    this.promise = run(this.controller.signal, (p) => {
      this.chosen = p
    })
  }

  /** The peer running the task, once placed. */
  get peer(): string | undefined {
    return this.chosen
  }

  cancel(reason?: Error): void {
    this.controller.abort(reason)
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
}
