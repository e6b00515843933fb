/** Where a run is: `running` until the task settles. */
export type RunStatus = 'running' | 'done' | 'failed'

/** A peer a run was placed on, with its name at the time (it may leave later). */
export interface Placement {
  id: string
  name: string
}

/** Why a run failed: mesh-core's error code (`PEER_LOST`, `TIMEOUT`, …) or the error's name. */
export interface RunFailure {
  code: string
  name: string
  message: string
}

export interface TaskRun {
  id: number
  task: string
  args: unknown
  /** The peer asked for, or `undefined` for any capable peer. */
  target: string | undefined
  retries: number
  status: RunStatus
  /** Every peer the run was placed on, in order; the last one runs it (or ran it). */
  placements: Placement[]
  /** The last fraction from the runner's `ctx.progress()`, for the current attempt. */
  progress: number | undefined
  result?: unknown
  error?: RunFailure
  /** Milliseconds since the epoch, by this peer's clock. */
  startedAt: number
  endedAt?: number
  /** Cancels the task while it runs. */
  cancel?: (() => void) | undefined
}

/** A run before the log numbers it. */
export type NewTaskRun = Omit<TaskRun, 'id'>

/** Members are plain functions, so they can be passed around unbound. */
export interface RunLog {
  /** The runs, newest first. A new array after every change (for useSyncExternalStore). */
  runs: () => readonly TaskRun[]
  /** Adds a run and returns its id. */
  add: (run: NewTaskRun) => number
  /** Changes one run; a run that has been dropped is left alone. */
  update: (id: number, change: (run: TaskRun) => Partial<NewTaskRun>) => void
  subscribe: (listener: () => void) => () => void
}

/** How many runs the log keeps; older ones are dropped. */
export const defaultRunLogLimit = 50

export function createRunLog(limit = defaultRunLogLimit): RunLog {
  let runs: readonly TaskRun[] = []
  let nextId = 1
  const listeners = new Set<() => void>()
  const changed = (): void => {
    for (const listener of listeners) listener()
  }
  return {
    runs: () => runs,
    add(run) {
      const id = nextId++
      runs = [{ ...run, id }, ...runs].slice(0, limit)
      changed()
      return id
    },
    update(id, change) {
      const i = runs.findIndex((r) => r.id === id)
      const run = runs[i]
      if (run === undefined) return
      runs = runs.with(i, { ...run, ...change(run) })
      changed()
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => {
        listeners.delete(listener)
      }
    }
  }
}
