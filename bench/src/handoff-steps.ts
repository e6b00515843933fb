/**
 * The handoff benches as run.ts steps (`bash bench/run.sh handoff` runs only these): live
 * actor handoff latency Node↔Node and browser↔browser, and the pause a steady sender sees.
 * Each measures itself next to a baseline from the same run.
 */
import { benchHandoffBrowser } from './handoff-browser.ts'
import { benchHandoffNode, benchHandoffPause } from './handoff-node.ts'
import { benchMusicGap } from './music-gap.ts'
import type { Row } from './stats.ts'

const PWA_DIR = new URL('../../apps/pwa/dist', import.meta.url).pathname

export const HANDOFF_STEPS: Array<{ name: string; run(): Promise<Row[]> }> = [
  {
    name: 'handoff-node',
    run: () => {
      console.log('bench: actor handoff latency, Node↔Node over TCP')
      return benchHandoffNode()
    }
  },
  {
    name: 'handoff-pause-node',
    run: () => {
      console.log('bench: longest pause a steady sender sees during a handoff, Node↔Node')
      return benchHandoffPause()
    }
  },
  {
    name: 'handoff-browser',
    run: () => {
      console.log('bench: actor handoff latency, browser↔browser over WebRTC')
      return benchHandoffBrowser(PWA_DIR)
    }
  },
  {
    name: 'music-gap',
    run: () => {
      console.log('bench: audible gap when the music session moves, browser↔browser')
      return benchMusicGap(PWA_DIR)
    }
  }
]
