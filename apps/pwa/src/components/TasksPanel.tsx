import { useId, useState } from 'react'
import type { FormEvent } from 'react'
import type { CapabilityValue, PeerInfo } from 'mesh-core'
import { shortId } from '../peers/peer-names'
import { echoTaskName, slowTaskName } from '../tasks/demo-tasks'
import type { TaskRun } from '../tasks/run-log'
import type { RunRequest } from '../tasks/run-task'
import { TaskRunRow } from './TaskRunRow'

/** Tasks the panel always lists, with the arguments it suggests for each. */
const knownTasks: ReadonlyArray<{ name: string; args: string }> = [
  { name: 'system.info', args: '' },
  { name: echoTaskName, args: '{"text":"hello"}' },
  { name: slowTaskName, args: '{"ms":5000}' },
  { name: 'sensor.read', args: '{"sensor":""}' },
  { name: 'sensor.list', args: '' }
]
const taskChoices = knownTasks.slice(0, 3)

/** The known tasks, then every other task a peer offers (mesh-internal ones aside), by name. */
function choicesFor(
  peers: PeerInfo[],
  own: CapabilityValue | undefined
): Array<{ name: string; args: string }> {
  const offered = new Set<string>()
  for (const t of [own, ...peers.map((p) => p.capabilities.tasks)])
    for (const name of Array.isArray(t) ? t : typeof t === 'string' ? [t] : []) offered.add(name)
  const known = knownTasks.filter((k) => taskChoices.includes(k) || offered.has(k.name))
  const others = [...offered]
    .filter((n) => !n.startsWith('mesh.') && !known.some((k) => k.name === n))
    .sort()
    .map((name) => ({ name, args: '' }))
  return [...known, ...others]
}

export const maxRetries = 5
export const defaultTimeoutS = 30

interface TasksPanelProps {
  /** The other peers that are not down. */
  peers: PeerInfo[]
  /** This peer: its id and the tasks it defines. */
  self: { id: string; name: string; tasks: CapabilityValue | undefined } | undefined
  runs: readonly TaskRun[]
  /** Starts a run; false until this peer has started. */
  onRun: ((request: RunRequest) => unknown) | undefined
  /** Defines the demo tasks here; absent once they are. */
  onOfferDemo: (() => void) | undefined
}

function offers(tasks: CapabilityValue | undefined, name: string): boolean {
  return Array.isArray(tasks) ? tasks.includes(name) : tasks === name
}

/**
 * Reads the arguments field: JSON, or `null` when empty. Not `undefined`: mesh-core sends
 * a request's args as CBOR as they are, and its decoder refuses `undefined`.
 */
function parseArgs(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  if (text.trim() === '') return { ok: true, value: null }
  try {
    return { ok: true, value: JSON.parse(text) as unknown }
  } catch {
    return { ok: false, error: 'The arguments are not valid JSON.' }
  }
}

function clamp(text: string, min: number, max: number, fallback: number): number {
  const n = Number.parseInt(text, 10)
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : fallback
}

/** Dispatches a task to a capable peer, or to one chosen peer, and lists the runs. */
export function TasksPanel({ peers, self, runs, onRun, onOfferDemo }: TasksPanelProps) {
  const [task, setTask] = useState(taskChoices[0]?.name ?? '')
  const [args, setArgs] = useState(taskChoices[0]?.args ?? '')
  const [chosenTarget, setTarget] = useState('')
  const [retries, setRetries] = useState('0')
  const [timeoutS, setTimeoutS] = useState(String(defaultTimeoutS))
  const [argsError, setArgsError] = useState<string>()
  const ids = useId()

  const choices = choicesFor(peers, self?.tasks)
  const capable = [
    ...(self !== undefined && offers(self.tasks, task)
      ? [{ id: self.id, label: `${self.name} (this peer)` }]
      : []),
    ...peers
      .filter((p) => offers(p.capabilities.tasks, task))
      .map((p) => ({ id: p.id, label: `${p.name} (${shortId(p.id)})` }))
  ]
  // A chosen peer that left or stopped offering the task falls back to placement.
  const target = capable.some((p) => p.id === chosenTarget) ? chosenTarget : ''

  const chooseTask = (name: string): void => {
    setTask(name)
    setArgs(choices.find((t) => t.name === name)?.args ?? '')
    setArgsError(undefined)
  }

  const submit = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault()
    if (onRun === undefined) return
    const parsed = parseArgs(args)
    if (!parsed.ok) return setArgsError(parsed.error)
    setArgsError(undefined)
    onRun({
      task,
      args: parsed.value,
      target: target === '' ? undefined : target,
      retries: clamp(retries, 0, maxRetries, 0),
      timeoutMs: clamp(timeoutS, 1, 600, defaultTimeoutS) * 1_000
    })
  }

  return (
    <section className="card" aria-labelledby={`${ids}-heading`} data-testid="tasks-panel">
      <div className="card-head">
        <h2 id={`${ids}-heading`}>Tasks</h2>
        {onOfferDemo !== undefined && (
          <button
            type="button"
            className="button button-small button-quiet"
            data-testid="task-offer-demo"
            onClick={onOfferDemo}
          >
            Offer demo tasks
          </button>
        )}
      </div>
      <form className="task-form" onSubmit={submit}>
        <label htmlFor={`${ids}-task`}>Task</label>
        <select
          id={`${ids}-task`}
          data-testid="task-name"
          value={task}
          onChange={(event) => chooseTask(event.target.value)}
        >
          {choices.map((t) => (
            <option key={t.name} value={t.name}>
              {t.name}
            </option>
          ))}
        </select>
        <label htmlFor={`${ids}-target`}>On</label>
        <select
          id={`${ids}-target`}
          data-testid="task-target"
          value={target}
          onChange={(event) => setTarget(event.target.value)}
        >
          <option value="">any capable peer ({capable.length})</option>
          {capable.map((p) => (
            <option key={p.id} value={p.id}>
              {p.label}
            </option>
          ))}
        </select>
        <label htmlFor={`${ids}-args`}>Args</label>
        <input
          id={`${ids}-args`}
          data-testid="task-args"
          type="text"
          autoComplete="off"
          autoCapitalize="off"
          spellCheck={false}
          placeholder="JSON, or empty"
          value={args}
          onChange={(event) => setArgs(event.target.value)}
        />
        <label htmlFor={`${ids}-retries`}>Retries</label>
        <input
          id={`${ids}-retries`}
          data-testid="task-retries"
          type="number"
          min={0}
          max={maxRetries}
          value={retries}
          disabled={target !== ''}
          title={target !== '' ? 'A task sent to one chosen peer is never moved' : undefined}
          onChange={(event) => setRetries(event.target.value)}
        />
        <label htmlFor={`${ids}-timeout`}>Timeout (s)</label>
        <input
          id={`${ids}-timeout`}
          data-testid="task-timeout"
          type="number"
          min={1}
          max={600}
          value={timeoutS}
          onChange={(event) => setTimeoutS(event.target.value)}
        />
        <button type="submit" className="button button-small" data-testid="task-run" disabled={!onRun}>
          Run
        </button>
      </form>
      {argsError !== undefined && (
        <p className="run-error" role="alert" data-testid="task-args-error">
          {argsError}
        </p>
      )}
      <ol className="peers runs" aria-live="polite" aria-label="Task runs">
        {runs.length === 0 && <li className="muted">No runs yet.</li>}
        {runs.map((run) => (
          <TaskRunRow key={run.id} run={run} />
        ))}
      </ol>
    </section>
  )
}
