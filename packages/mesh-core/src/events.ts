import type { MeshEventName, MeshEvents } from './types.ts'

type Listener<K extends MeshEventName> = (detail: MeshEvents[K]) => void

/** A small typed emitter; a throwing listener never breaks the emitter or other listeners. */
export class Emitter {
  private readonly listeners = new Map<MeshEventName, Set<Listener<never>>>()
  private readonly onListenerError: (err: unknown) => void

  constructor(onListenerError: (err: unknown) => void) {
    this.onListenerError = onListenerError
  }

  on<K extends MeshEventName>(event: K, fn: Listener<K>): () => void {
    let set = this.listeners.get(event)
    if (set === undefined) {
      set = new Set()
      this.listeners.set(event, set)
    }
    set.add(fn)
    return () => {
      set.delete(fn)
    }
  }

  emit<K extends MeshEventName>(event: K, detail: MeshEvents[K]): void {
    const set = this.listeners.get(event)
    if (set === undefined) return
    for (const fn of [...set]) {
      try {
        ;(fn as Listener<K>)(detail)
      } catch (err) {
        this.onListenerError(err)
      }
    }
  }

  clear(): void {
    this.listeners.clear()
  }
}
