import { shortId } from '../peers/peer-names'
import type { TaskRun } from '../tasks/run-log'

function formatJson(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? 'undefined'
  } catch {
    return String(value)
  }
}

/** One run of the Tasks panel: where it runs, how far it got, and what came back. */
export function TaskRunRow({ run }: { run: TaskRun }) {
  const current = run.placements.at(-1)
  const earlier = run.placements.slice(0, -1)
  const attempts = run.placements.length
  return (
    <li
      className="peer run"
      data-testid="task-run-row"
      data-run-id={run.id}
      data-task={run.task}
      data-status={run.status}
      data-peer={current?.id ?? ''}
      data-attempts={attempts}
      data-progress={run.progress ?? ''}
      data-error={run.error?.code ?? ''}
    >
      <div className="peer-head">
        <code className="run-task">{run.task}</code>
        <span className={`status run-${run.status}`} data-testid="task-status">
          {run.status}
        </span>
      </div>
      <dl className="peer-facts">
        <div>
          <dt>{run.status === 'running' ? 'running on' : 'ran on'}</dt>
          <dd data-testid="task-peer">
            {current === undefined ? (
              'no peer'
            ) : (
              <>
                {current.name} <code title={current.id}>{shortId(current.id)}</code>
              </>
            )}
          </dd>
        </div>
        <div>
          <dt>attempt</dt>
          <dd className="numeric" data-testid="task-attempts">
            {attempts} of {run.retries + 1}
          </dd>
        </div>
        <div>
          <dt>asked</dt>
          <dd>{run.target === undefined ? 'any capable peer' : 'this peer only'}</dd>
        </div>
        {run.endedAt !== undefined && (
          <div>
            <dt>took</dt>
            <dd className="numeric">{run.endedAt - run.startedAt} ms</dd>
          </div>
        )}
        {earlier.length > 0 && (
          <div className="run-wide">
            <dt>lost</dt>
            <dd data-testid="task-lost">{earlier.map((p) => `${p.name} (${shortId(p.id)})`).join(', ')}</dd>
          </div>
        )}
      </dl>
      {run.status === 'running' && (
        <div className="run-progress">
          <progress
            data-testid="task-progress"
            max={1}
            {...(run.progress !== undefined && { value: run.progress })}
            aria-label={`Progress of ${run.task}`}
          />
          {run.cancel !== undefined && (
            <button
              type="button"
              className="button button-small button-quiet"
              data-testid="task-cancel"
              onClick={run.cancel}
            >
              Cancel
            </button>
          )}
        </div>
      )}
      {run.status === 'done' && <pre data-testid="task-result">{formatJson(run.result)}</pre>}
      {run.error !== undefined && (
        <p className="run-error" role="alert" data-testid="task-error">
          {run.error.code}: {run.error.message}
        </p>
      )}
    </li>
  )
}
