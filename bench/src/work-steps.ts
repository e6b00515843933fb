/**
 * The work benches as run.ts steps (`bash bench/run.sh work` runs only these): tasks and
 * actors Node↔Node, tasks browser↔browser over WebRTC, and supervised restart after a
 * SIGKILL. Each measures itself next to a baseline from the same run.
 */
import type { Row } from './stats.ts'
import { benchWorkBrowser } from './work-browser.ts'
import { benchWorkNode } from './work-node.ts'
import { benchWorkRestart } from './work-restart.ts'

const PWA_DIR = new URL('../../apps/pwa/dist', import.meta.url).pathname

export const WORK_STEPS: Array<{ name: string; run(): Promise<Row[]> }> = [
  {
    name: 'work-node',
    run: () => {
      console.log('bench: tasks and actors, Node↔Node over TCP')
      return benchWorkNode()
    }
  },
  {
    name: 'work-browser',
    run: () => {
      console.log('bench: tasks, browser↔browser over WebRTC')
      return benchWorkBrowser(PWA_DIR)
    }
  },
  {
    name: 'work-restart',
    run: () => {
      console.log('bench: supervised restart after SIGKILL')
      return benchWorkRestart()
    }
  }
]
