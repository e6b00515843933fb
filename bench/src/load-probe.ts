import { loadavg } from 'node:os'
import { monitorEventLoopDelay } from 'node:perf_hooks'

/**
 * How busy this process and this machine were while something ran: in-process fleets
 * measure the simulator as much as the mesh once the event loop lags, and these machines
 * are shared. Goes into the row notes so a reader can tell.
 */
export class LoadProbe {
  private readonly lag: ReturnType<typeof monitorEventLoopDelay> = monitorEventLoopDelay({ resolution: 20 })
  private readonly cpu0 = process.cpuUsage()
  private readonly t0 = performance.now()
  private readonly load0 = loadavg()[0] ?? 0

  constructor() {
    this.lag.enable()
  }

  /** e.g. `event-loop delay p99 120 ms (max 900 ms), process CPU 0.9 cores, load average 2.1 → 3.0` */
  summary(): string {
    const cpu = process.cpuUsage(this.cpu0)
    const cores = (cpu.user + cpu.system) / 1_000 / Math.max(1, performance.now() - this.t0)
    const ms = (ns: number): string => (ns / 1e6).toFixed(0)
    return (
      `event-loop delay p99 ${ms(this.lag.percentile(99))} ms (max ${ms(this.lag.max)} ms), ` +
      `process CPU ${cores.toFixed(2)} cores, load average ${this.load0.toFixed(1)} → ${(loadavg()[0] ?? 0).toFixed(1)}`
    )
  }

  stop(): void {
    this.lag.disable()
  }
}
