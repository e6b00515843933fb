/** What a page exposes of its music, for end-to-end tests and the devtools console. */
import type { EngineStatus } from './engine'
import type { NowPlaying } from './session-state'

export interface MusicProbe {
  /** The player of this page. */
  audio(): EngineStatus
  /** The RMS level at this page's audio output now. */
  level(): number
  /** The session pid this page hosts, or null. */
  hosted(): string | null
  /** "Now playing" as this page's replica holds it. */
  nowPlaying(): NowPlaying | undefined
  /** What "Play here" does: move the session to this page; the handoff call's duration (ms). */
  playHere(): Promise<number>
}

declare global {
  interface Window {
    __music?: MusicProbe
  }
}
