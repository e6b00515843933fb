import type { Capabilities } from 'mesh-core'
import { SensorError } from '../source.ts'
import type { Reading, SensorInfo, SourceLog, SourceTask } from '../source.ts'
import { DriverError } from './errors.ts'
import { Incarnation, realClock } from './incarnation.ts'
import { driverSettings } from './init.ts'
import type { DriverSettings } from './init.ts'
import type { ProcessExit } from './process.ts'
import { encodeBridgeMessage, excerpt, helloProblem, parseReadingValue } from './protocol.ts'
import type { BridgeMessage, DriverHello, DriverMessage } from './protocol.ts'
import { Requests } from './requests.ts'
import type {
  DriverClock,
  DriverComponents,
  DriverDownReason,
  DriverEventName,
  DriverEvents,
  DriverInit,
  DriverSource,
  DriverStatus
} from './types.ts'

interface DriverSensorInfo extends SensorInfo {
  /** The id the driver itself uses. */
  local: string
  push: boolean
}

const sensorErrorCodes = new Set<string>(['NOT_FOUND', 'UNAVAILABLE', 'TIMEOUT', 'BAD_VALUE'])

class ExternalDriverSource implements DriverSource {
  readonly name: string
  private readonly settings: DriverSettings
  private readonly log: SourceLog
  private readonly clock: DriverClock
  private readonly requests: Requests
  private readonly listeners = new Map<DriverEventName, Set<(data: never) => void>>()
  private changed: () => void = () => {}
  private state: DriverStatus = 'idle'
  private current: Incarnation | undefined
  private spawns = 0
  private failures = 0
  private restartTimer: unknown
  private stopping: Promise<void> | undefined
  private stopRequested = false
  private caps: Capabilities = {}
  private sensorMap = new Map<string, DriverSensorInfo>()
  private taskNames: string[] = []
  private readonly samples = new Map<string, Reading>()

  constructor(init: DriverInit, components: DriverComponents) {
    this.settings = driverSettings(init)
    this.name = `driver:${init.name}`
    this.log = components.log
    this.clock = components.clock ?? realClock
    this.requests = new Requests({
      driver: init.name,
      timeoutMs: this.settings.timeoutMs,
      maxPending: this.settings.maxPending,
      clock: this.clock,
      send: (message) => this.send(message)
    })
  }

  get status(): DriverStatus {
    return this.state
  }

  get pid(): number | undefined {
    return this.current?.pid
  }

  on<E extends DriverEventName>(event: E, fn: (data: DriverEvents[E]) => void): () => void {
    let set = this.listeners.get(event)
    if (set === undefined) this.listeners.set(event, (set = new Set()))
    set.add(fn)
    return () => set.delete(fn)
  }

  start(changed: () => void): Promise<void> {
    if (this.state !== 'idle') return Promise.reject(new Error(`${this.name} was already started`))
    this.changed = changed
    this.launch()
    return Promise.resolve()
  }

  stop(): Promise<void> {
    this.stopRequested = true
    this.stopping ??= this.shutdown()
    return this.stopping
  }

  capabilities(): Capabilities {
    return { ...this.caps }
  }

  sensors(): SensorInfo[] {
    return [...this.sensorMap.values()].map(({ id, kind, unit }) => ({
      id,
      kind,
      ...(unit !== undefined ? { unit } : {})
    }))
  }

  async read(sensor: string, signal?: AbortSignal): Promise<Reading> {
    this.assertUp()
    const info = this.sensorMap.get(sensor)
    if (info === undefined) throw new SensorError(`${this.name} has no sensor "${sensor}"`, 'NOT_FOUND')
    if (info.push) {
      const latest = this.samples.get(sensor)
      if (latest === undefined) {
        throw new SensorError(`${this.name}: no sample of "${sensor}" yet`, 'UNAVAILABLE')
      }
      return latest
    }
    const reply = await this.requests
      .request((id) => ({ type: 'read', id, sensor: info.local }), `read "${info.local}"`, signal)
      .catch((error: unknown) => {
        if (!(error instanceof DriverError)) throw error
        const code = error.code !== undefined && sensorErrorCodes.has(error.code) ? error.code : 'UNAVAILABLE'
        throw new SensorError(`${this.name}: ${error.message}`, code as SensorError['code'])
      })
    const value = parseReadingValue(reply.value)
    if (!value.ok) {
      throw new SensorError(`${this.name}: bad value for "${sensor}": ${value.error}`, 'BAD_VALUE')
    }
    const unit = reply.unit ?? info.unit
    return {
      sensor,
      value: value.value,
      ...(unit !== undefined ? { unit } : {}),
      at: reply.at ?? this.clock.now()
    }
  }

  tasks(): Record<string, SourceTask> {
    const tasks: Record<string, SourceTask> = {}
    for (const task of this.taskNames) tasks[task] = (args, signal) => this.call(task, args, signal)
    return tasks
  }

  private async call(task: string, args: unknown, signal: AbortSignal): Promise<unknown> {
    this.assertUp()
    if (!this.taskNames.includes(task)) {
      throw new SensorError(`${this.name} no longer serves "${task}"`, 'UNAVAILABLE')
    }
    const build = (id: number): BridgeMessage =>
      args === undefined ? { type: 'call', id, task } : { type: 'call', id, task, args }
    const reply = await this.requests.request(build, `call "${task}"`, signal)
    return reply.value ?? null
  }

  private assertUp(): void {
    if (this.state !== 'up') throw new SensorError(`${this.name} is ${this.state}`, 'UNAVAILABLE')
  }

  private send(message: BridgeMessage): void {
    const inc = this.current?.state === 'up' ? this.current : undefined
    const line = encodeBridgeMessage(message, this.settings.maxLineBytes)
    if (line === undefined) {
      const max = this.settings.maxLineBytes
      throw new SensorError(`${this.name}: request is not JSON or longer than ${max} bytes`, 'BAD_VALUE')
    }
    if (inc?.write(line) !== true) throw new SensorError(`${this.name} is ${this.state}`, 'UNAVAILABLE')
  }

  private emit<E extends DriverEventName>(event: E, data: DriverEvents[E]): void {
    for (const fn of this.listeners.get(event) ?? []) {
      this.guard(`a "${event}" listener`, () => (fn as (data: DriverEvents[E]) => void)(data))
    }
  }

  /** Tell the bridge to re-advertise. */
  private notify(): void {
    this.guard('changed()', this.changed)
  }

  /** Run a callback of the bridge's; its failure must not take the driver's bookkeeping down. */
  private guard(what: string, fn: () => void): void {
    try {
      fn()
    } catch (error) {
      const driver = this.settings.name
      this.log('error', `driver ${driver}: ${what} threw: ${String(error)}`, { driver })
    }
  }

  private launch(): void {
    this.restartTimer = undefined
    const driver = this.settings.name
    const inc: Incarnation = new Incarnation(this.settings, this.clock, {
      message: (message, text) => this.onMessage(inc, message, text),
      reject: (reason, raw) => this.garbage(inc, reason, raw),
      stderr: (text) => this.log('warn', `driver ${driver} stderr: ${text}`, { driver, stream: 'stderr' }),
      signal: (signal) => {
        const grace = this.settings.killGraceMs
        this.log(
          'warn',
          `driver ${driver} still running ${grace} ms after being told to exit; sending ${signal}`,
          {
            driver,
            signal
          }
        )
      }
    })
    this.current = inc
    this.state = 'starting'
    this.spawns++
    const { helloTimeoutMs } = this.settings
    inc.helloTimer = this.clock.setTimeout(
      () => this.fail(inc, 'hello-timeout', `no hello within ${helloTimeoutMs} ms`),
      helloTimeoutMs
    )
    void inc.proc.exited.then((exit) => this.onExit(inc, exit))
    this.emit('spawn', { pid: inc.pid, attempt: this.spawns })
  }

  private onMessage(inc: Incarnation, message: DriverMessage, text: string): void {
    const driver = this.settings.name
    if (message.type === 'log') {
      const level = message.level === 'debug' ? 'info' : message.level
      this.log(level, `driver ${driver}: ${message.msg}`, { driver, level: message.level })
      return
    }
    if (message.type === 'hello') {
      if (inc.state !== 'starting') return this.garbage(inc, 'a second hello', text)
      return this.onHello(inc, message)
    }
    if (inc.state !== 'up') return this.garbage(inc, `"${message.type}" before hello`, text)
    switch (message.type) {
      case 'result':
      case 'error':
        if (!this.requests.settle(message)) {
          const known = this.requests.issued(message.id)
          const why = known ? 'already timed out or cancelled' : 'never sent'
          this.log('info', `driver ${driver}: dropped a reply to request ${message.id} (${why})`, {
            driver,
            id: message.id
          })
          this.emit('late-reply', { id: message.id, known })
        }
        return
      case 'sample': {
        const id = `${driver}.${message.sensor}`
        const info = this.sensorMap.get(id)
        if (info === undefined) {
          return this.garbage(inc, `sample of undeclared sensor "${message.sensor}"`, text)
        }
        const unit = message.unit ?? info.unit
        const reading: Reading = {
          sensor: id,
          value: message.value,
          ...(unit !== undefined ? { unit } : {}),
          at: message.at ?? this.clock.now()
        }
        this.samples.set(id, reading)
        this.emit('sample', reading)
        return
      }
      case 'capabilities':
        this.caps = message.capabilities
        this.emit('capabilities', { ...message.capabilities })
        this.notify()
        return
    }
  }

  private onHello(inc: Incarnation, hello: DriverHello): void {
    const driver = this.settings.name
    const problem = helloProblem(hello)
    if (problem !== undefined) return this.fail(inc, 'bad-hello', problem)
    const sensors = hello.sensors ?? []
    const tasks = hello.tasks ?? []
    this.clock.clearTimeout(inc.helloTimer)
    inc.state = 'up'
    inc.upAt = this.clock.now()
    this.state = 'up'
    this.caps = hello.capabilities ?? {}
    this.sensorMap = new Map(
      sensors.map((s) => {
        const id = `${driver}.${s.id}`
        const info: DriverSensorInfo = { id, kind: s.kind, local: s.id, push: s.push ?? false }
        if (s.unit !== undefined) info.unit = s.unit
        return [id, info]
      })
    )
    this.taskNames = tasks
    const pid = inc.pid
    this.log(
      'info',
      `driver ${driver} is up (pid ${pid}, ${sensors.length} sensors, ${tasks.length} tasks)`,
      { driver, pid }
    )
    this.emit('up', { pid, restarts: this.spawns - 1 })
    this.notify()
  }

  private garbage(inc: Incarnation, reason: string, raw: string | Uint8Array): void {
    const driver = this.settings.name
    const quoted = excerpt(raw)
    this.log('warn', `driver ${driver}: rejected a line (${reason}): ${quoted}`, {
      driver,
      reason,
      excerpt: quoted
    })
    this.emit('garbage', { reason, excerpt: quoted })
    if (inc.countGarbage()) {
      const { windowMs } = this.settings.garbage
      this.fail(inc, 'garbage', `${inc.garbageCount} rejected lines within ${windowMs} ms`)
    }
  }

  /** The driver misbehaved: withdraw it and end the process; its exit schedules the restart. */
  private fail(inc: Incarnation, reason: DriverDownReason, detail: string): void {
    if (inc !== this.current || inc.state === 'closing') return
    this.log('error', `driver ${this.settings.name}: ${detail}; restarting it`, {
      driver: this.settings.name,
      reason
    })
    this.takeDown(inc, reason, null, null, detail)
    void inc.terminate()
  }

  /** Withdraw everything the driver offered and fail what is in flight. */
  private takeDown(
    inc: Incarnation,
    reason: DriverDownReason,
    code: number | null,
    signal: string | null,
    detail: string
  ): void {
    const wasUp = inc.state === 'up'
    inc.state = 'closing'
    this.clock.clearTimeout(inc.helloTimer)
    this.state = this.stopRequested ? 'stopped' : 'down'
    this.caps = {}
    this.sensorMap = new Map()
    this.taskNames = []
    this.samples.clear()
    this.requests.rejectAll(
      new SensorError(`driver ${this.settings.name} is down (${detail})`, 'UNAVAILABLE')
    )
    this.emit('down', { reason, code, signal, detail })
    if (wasUp && !this.stopRequested) this.notify()
  }

  private onExit(inc: Incarnation, exit: ProcessExit): void {
    if (inc.state !== 'closing') {
      const how =
        exit.error !== undefined ? exit.error.message : `exited with code ${exit.code} signal ${exit.signal}`
      const reason = exit.error !== undefined && inc.pid === undefined ? 'spawn-failed' : 'exit'
      this.log('error', `driver ${this.settings.name} ${how}`, {
        driver: this.settings.name,
        code: exit.code,
        signal: exit.signal
      })
      this.takeDown(inc, reason, exit.code, exit.signal, how)
    }
    if (this.current === inc) this.current = undefined
    if (!this.stopRequested) this.scheduleRestart(inc)
  }

  private scheduleRestart(inc: Incarnation): void {
    const { initialMs, maxMs, factor, stableMs } = this.settings.restart
    if (inc.upAt !== undefined && this.clock.now() - inc.upAt >= stableMs) this.failures = 0
    const delayMs = Math.min(maxMs, Math.round(initialMs * factor ** this.failures))
    this.failures++
    this.log('info', `driver ${this.settings.name} restarts in ${delayMs} ms`, {
      driver: this.settings.name,
      delayMs
    })
    this.emit('restart', { delayMs, failures: this.failures })
    this.restartTimer = this.clock.setTimeout(() => this.launch(), delayMs)
  }

  private async shutdown(): Promise<void> {
    if (this.restartTimer !== undefined) this.clock.clearTimeout(this.restartTimer)
    this.restartTimer = undefined
    const inc = this.current
    if (inc !== undefined) {
      if (inc.state !== 'closing') this.takeDown(inc, 'stopped', null, null, 'stopped')
      await inc.terminate()
      this.current = undefined
    }
    this.state = 'stopped'
  }
}

/** A sensor and task source backed by an external driver process (docs/DRIVERS.md). */
export function driverSource(init: DriverInit, components: DriverComponents): DriverSource {
  return new ExternalDriverSource(init, components)
}
