import type { Needs, PeerInfo, Task, TaskOptions } from 'mesh-core'
import { peerName } from '../peers/peer-names'
import type { Placement, RunFailure, RunLog } from './run-log'

/** What the Tasks panel asks for. */
export interface RunRequest {
  task: string
  args: unknown
  /** A peer id, or `undefined` for any capable peer (placement, retries). */
  target: string | undefined
  /** Ignored with a `target`: mesh-core never moves a task pinned to one peer. */
  retries: number
  timeoutMs: number
}

/** What running tasks needs from the mesh; a `Mesh` is one. */
export interface TaskComponents {
  readonly peerId: string
  readonly name: string
  peers(): PeerInfo[]
  task<R>(needs: Needs, name: string, args?: unknown, o?: TaskOptions): Task<R>
}

/** The error as the panel shows it: a `MeshError`'s code, else the error's name. */
export function describeFailure(err: unknown): RunFailure {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code
    return { code: typeof code === 'string' ? code : err.name, name: err.name, message: err.message }
  }
  return { code: 'Error', name: 'Error', message: String(err) }
}

function placement(mesh: TaskComponents, id: string): Placement {
  return { id, name: id === mesh.peerId ? `${mesh.name} (this peer)` : peerName(mesh, id) }
}

/** The mesh-core options for a request: retries only where placement may move the task. */
export function taskOptions(request: RunRequest): TaskOptions {
  const o: TaskOptions = { timeoutMs: request.timeoutMs }
  if (request.target !== undefined) o.peer = request.target
  else if (request.retries > 0) o.retries = request.retries
  return o
}

/**
 * Starts `request` as a mesh task and follows it in `log`: the peer it runs on (again on
 * every retry), its progress, then its result or error. Returns the run's id.
 */
export function runTask(mesh: TaskComponents, log: RunLog, request: RunRequest): number {
  const startedAt = Date.now()
  const base = {
    task: request.task,
    args: request.args,
    target: request.target,
    retries: request.target === undefined ? request.retries : 0,
    progress: undefined,
    startedAt
  }
  let task: Task<unknown>
  try {
    task = mesh.task<unknown>({}, request.task, request.args, taskOptions(request))
  } catch (err) {
    // Bad options are refused before anything runs.
    return log.add({
      ...base,
      status: 'failed',
      placements: [],
      error: describeFailure(err),
      endedAt: startedAt
    })
  }
  // mesh-core places the first attempt before `task()` returns, so that one is read here;
  // every later placement (a retry on another peer) arrives as a `peer` event.
  const first = task.peer
  const id = log.add({
    ...base,
    status: 'running',
    placements: first === undefined ? [] : [placement(mesh, first)],
    cancel: () => task.cancel()
  })
  task.on('peer', (peer) => {
    log.update(id, (run) => ({ placements: [...run.placements, placement(mesh, peer)], progress: undefined }))
  })
  task.on('progress', (fraction) => {
    log.update(id, () => ({ progress: fraction }))
  })
  void task.then(
    (result) => log.update(id, () => ({ status: 'done', result, endedAt: Date.now(), cancel: undefined })),
    (err: unknown) =>
      log.update(id, () => ({
        status: 'failed',
        error: describeFailure(err),
        endedAt: Date.now(),
        cancel: undefined
      }))
  )
  return id
}
