import { SensorError } from '../source.ts'
import { maxListLength, serialSampleMs } from './constants.ts'
import { under } from './files.ts'
import { polledSource } from './polled.ts'
import type { PolledSource, SourceInit } from './polled.ts'

/**
 * `serial`: serial ports. USB adapters (`ttyUSB*`), CDC-ACM boards such as an Arduino
 * (`ttyACM*`), PL011 UARTs (`ttyAMA*`) and the Raspberry Pi's `serial0`/`serial1` aliases always
 * count. 8250 ports (`ttyS*`) count only when `/sys/class/tty/<name>/device` exists, since
 * the kernel creates placeholder `ttyS0`–`ttyS31` nodes whether or not a UART is behind them.
 *
 * Capability: `serial`, the port names (e.g. `["ttyUSB0", "serial0"]`), absent when none.
 * No sensors: talking to a port belongs to drivers.
 */
export function serialSource(init: SourceInit = {}): PolledSource {
  const root = init.root ?? '/'
  return polledSource('serial', init, serialSampleMs, {
    async scan(files) {
      const ports: string[] = []
      for (const node of await files.list(under(root, 'dev'))) {
        if (/^(?:ttyUSB|ttyACM|ttyAMA|serial)\d+$/.test(node)) ports.push(node)
        else if (/^ttyS\d+$/.test(node) && (await files.exists(under(root, 'sys/class/tty', node, 'device'))))
          ports.push(node)
      }
      return {
        capabilities: ports.length > 0 ? { serial: ports.slice(0, maxListLength) } : {},
        sensors: []
      }
    },
    read(sensor) {
      return Promise.reject(new SensorError(`serial: no sensor "${sensor.id}"`, 'NOT_FOUND'))
    }
  })
}
