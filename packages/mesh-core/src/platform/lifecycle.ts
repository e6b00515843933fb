import { platform } from '#platform'
import type { RecordState } from '../registry/record.ts'
import type { Evacuation } from '../work/evacuation.ts'

export interface PeerLifecycle {
  sayGoodbye(): void
  publish(state: RecordState): void
  /** Back from hidden: fresh registry state is due. */
  returned(): void
  /** How many local actors an evacuation would move. */
  movable(): number
  evacuation: Evacuation
}

/**
 * What a page's lifecycle means for the peer: leaving says goodbye (after handing its
 * actors away, when it has any and the policy says so), hidden publishes 'paused' (timer
 * throttling is not death) and may evacuate after a while, a low battery may evacuate.
 */
export function watchPeerLifecycle(p: PeerLifecycle): () => void {
  return platform.watchLifecycle({
    leaving: () => {
      const bye = (): void => {
        p.sayGoodbye()
        p.publish('leaving')
      }
      // The page is torn down once this handler returns, microtasks or not. The actors
      // that could go in one frame each have gone when pageHide returns; then, with none
      // left, the goodbye goes now too. Otherwise it waits for the rest of the move, which
      // the page may not live to see; then peers see it drop.
      const moving = p.movable() > 0 ? p.evacuation.pageHide() : undefined
      if (moving === undefined || p.movable() === 0) bye()
      else void moving.finally(bye)
    },
    hidden: (hidden) => {
      p.evacuation.hidden(hidden)
      if (!hidden) p.returned()
      p.publish(hidden ? 'paused' : 'up')
    },
    battery: (level, charging) => void p.evacuation.battery(level, charging)
  })
}
