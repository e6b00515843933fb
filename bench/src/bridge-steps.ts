/**
 * The mesh-bridge benches as run.ts steps (`bash bench/run.sh bridge` runs only these):
 * `sensor.stream` from a real mesh-bridge process to a browser over WebRTC, and the
 * bridge's idle resident memory. Each measures itself next to a baseline from the same run.
 */
import { benchBridgeRss } from './bridge-rss.ts'
import { benchBridgeStream } from './bridge-stream.ts'
import type { Row } from './stats.ts'

const PWA_DIR = new URL('../../apps/pwa/dist', import.meta.url).pathname

export const BRIDGE_STEPS: Array<{ name: string; run(): Promise<Row[]> }> = [
  {
    name: 'bridge-stream',
    run: () => {
      console.log('bench: sensor.stream from a mesh-bridge process to a browser over WebRTC')
      return benchBridgeStream(PWA_DIR)
    }
  },
  {
    name: 'bridge-rss',
    run: () => {
      console.log('bench: idle RSS of a mesh-bridge process')
      return benchBridgeRss()
    }
  }
]
