/**
 * The Web Audio player of the page that hosts the session: oscillators and envelopes,
 * scheduled ahead on the AudioContext clock by a lookahead scheduler (a timer tops up
 * the next stretch of notes; the audio clock, not the timer, decides when they sound).
 * Nothing is downloaded: every sound is synthesised here.
 */
import { clockMap } from './clock'
import type { ClockMap } from './clock'
import { beatAt, wallAt, wallNow } from './position'
import type { Timing } from './position'
import { lengthBeats, midiToHz, notesBetween, patterns, resumeNotes } from './sequencer'
import type { Note } from './sequencer'
import type { SessionPlayer } from './session'
import type { Track } from './tracks'

/** How often the scheduler tops up. */
export const scheduleEveryMs = 25
/** How far ahead notes are scheduled, visible and hidden (timers slow down in hidden tabs). */
export const lookaheadS = 0.15
export const hiddenLookaheadS = 3
/** From "now" to the first sound of a (re)start: the render thread must see it in time. */
export const startMarginS = 0.02
/** A stop fades out over this long, so it does not click. */
export const fadeS = 0.004
/** How long `unlock()` waits for the context to run. */
const unlockWaitMs = 1_000

export interface EngineStatus {
  /** The AudioContext's state, or 'none' before one exists. */
  audio: AudioContextState | 'none'
  /** Whether the engine is playing through a running context. */
  sounding: boolean
  /** The engine was asked to play but the browser keeps the context suspended (autoplay). */
  blocked: boolean
  /** Oscillators scheduled or playing. */
  voices: number
  trackId: string | null
  /** When the last stop was heard, and the first sound of the last start (shared clock, ms). */
  stoppedAt: number | null
  startedAt: number | null
}

export interface AudioEngine extends SessionPlayer {
  /** Create and resume the context; call from a user gesture (click) to satisfy autoplay rules. */
  unlock(): Promise<void>
  status(): EngineStatus
  /** The RMS level at the output right now (0 when silent), for tests and the meter. */
  level(): number
  subscribe(fn: () => void): () => void
}

export interface AudioEngineInit {
  /** The scheduler reached the end of `trackId`, which ends at `at` (shared clock). */
  onEnd(trackId: string, at: number): void
}

interface Voice {
  osc: OscillatorNode
}

interface Run {
  track: Track
  timing: Timing
  /** Notes are scheduled up to this beat. */
  until: number
  ended: boolean
}

export function createAudioEngine(init: AudioEngineInit): AudioEngine {
  let ctx: AudioContext | undefined
  let analyser: AnalyserNode | undefined
  let bus: GainNode | undefined
  let run: Run | null = null
  let sounding = false
  let timer: ReturnType<typeof setInterval> | undefined
  let stoppedAt: number | null = null
  let startedAt: number | null = null
  const voices = new Set<Voice>()
  const listeners = new Set<() => void>()
  const changed = (): void => {
    for (const fn of [...listeners]) fn()
  }

  const unlockOnGesture = (): void => void engine.unlock()
  const gestures = ['pointerdown', 'keydown'] as const
  const context = (): AudioContext => {
    if (ctx !== undefined) return ctx
    const c = new AudioContext({ latencyHint: 'interactive' })
    analyser = c.createAnalyser()
    analyser.fftSize = 512
    analyser.connect(c.destination)
    c.addEventListener('statechange', () => {
      if (c.state === 'running')
        for (const type of gestures) document.removeEventListener(type, unlockOnGesture, { capture: true })
      if (c.state === 'running' && run !== null && !sounding) restart(run.track, run.timing)
      changed()
    })
    // A suspended context (autoplay policy) starts on the next tap or key anywhere.
    for (const type of gestures)
      document.addEventListener(type, unlockOnGesture, { capture: true, passive: true })
    ctx = c
    return c
  }

  const map = (): ClockMap => clockMap(ctx as AudioContext)

  const newBus = (c: AudioContext): GainNode => {
    const g = c.createGain()
    g.connect(analyser as AnalyserNode)
    bus = g
    return g
  }

  /** Silence everything now (a short fade); the context time the sound is gone. */
  const cut = (): number | undefined => {
    const c = ctx
    if (c === undefined) return undefined
    const t = c.currentTime
    if (bus !== undefined) {
      const g = bus
      g.gain.cancelScheduledValues(t)
      g.gain.setValueAtTime(g.gain.value, t)
      g.gain.linearRampToValueAtTime(0, t + fadeS)
      setTimeout(() => g.disconnect(), 200)
      bus = undefined
    }
    for (const v of voices) {
      try {
        v.osc.stop(t + fadeS)
      } catch {
        // Not started yet in a way stop() accepts: it goes with its bus.
      }
    }
    return t + fadeS
  }

  const play = (note: Note, track: Track, timing: Timing, m: ClockMap, out: GainNode): void => {
    const c = ctx as AudioContext
    const dur = (note.beats * timing.msPerBeat) / 1_000
    const start = Math.max(m.ctxOf(wallAt(timing, note.beat)), c.currentTime)
    const end = m.ctxOf(wallAt(timing, note.beat)) + dur
    if (end <= start + 0.01) return
    const pad = note.voice === 'pad'
    const osc = c.createOscillator()
    osc.type = pad ? 'sine' : patterns[track.preset].wave
    osc.frequency.value = midiToHz(note.midi)
    const env = c.createGain()
    const peak = pad ? 0.09 : 0.07
    const release = Math.min(0.03, (end - start) / 3)
    env.gain.setValueAtTime(0, start)
    env.gain.linearRampToValueAtTime(peak, start + fadeS)
    env.gain.setValueAtTime(peak, end - release)
    env.gain.linearRampToValueAtTime(0, end)
    osc.connect(env).connect(out)
    const voice: Voice = { osc }
    voices.add(voice)
    osc.addEventListener('ended', () => {
      voices.delete(voice)
      env.disconnect()
      if (voices.size === 0) changed()
    })
    osc.start(start)
    osc.stop(end + 0.005)
  }

  const schedule = (): void => {
    const c = ctx
    if (c === undefined || c.state !== 'running' || run === null || bus === undefined) return
    const m = map()
    const ahead = document.hidden ? hiddenLookaheadS : lookaheadS
    const to = Math.min(beatAt(run.timing, m.wallOf(c.currentTime + ahead)), lengthBeats(run.track))
    if (to > run.until) {
      for (const note of notesBetween(run.track, run.until, to)) play(note, run.track, run.timing, m, bus)
      run.until = to
    }
    if (!run.ended && run.until >= lengthBeats(run.track)) {
      run.ended = true
      init.onEnd(run.track.id, wallAt(run.timing, lengthBeats(run.track)))
    }
  }

  const startTimer = (): void => {
    if (timer === undefined) timer = setInterval(schedule, scheduleEveryMs)
  }
  const stopTimer = (): void => {
    if (timer !== undefined) clearInterval(timer)
    timer = undefined
  }

  /**
   * Cut what is scheduled and go on from the next possible moment: at `timing` (mid-stream),
   * or, with `from`, at beat `from`, anchored at that moment. Returns when it sounds.
   */
  const restart = (track: Track, timing: Timing, from?: number): number | null => {
    const c = context()
    cut()
    if (c.state !== 'running') {
      const t = from === undefined ? timing : { ...timing, beat: from, anchorAt: wallNow() }
      run = { track, timing: t, until: t.beat, ended: false }
      sounding = false
      startTimer()
      changed()
      return null
    }
    const m = map()
    const t0 = c.currentTime + startMarginS
    const first = m.wallOf(t0)
    const t = from === undefined ? timing : { ...timing, beat: from, anchorAt: first }
    const beat = Math.max(t.beat, beatAt(t, first))
    run = { track, timing: t, until: beat, ended: false }
    const out = newBus(c)
    if (beat < lengthBeats(track)) for (const note of resumeNotes(track, beat)) play(note, track, t, m, out)
    sounding = true
    startedAt = Math.max(first, t.anchorAt)
    schedule()
    startTimer()
    changed()
    return startedAt
  }

  const sameTiming = (a: Timing, b: Timing): boolean =>
    a.beat === b.beat && a.anchorAt === b.anchorAt && a.msPerBeat === b.msPerBeat

  const engine: AudioEngine = {
    resume(track, beat, msPerBeat) {
      const c = context()
      if (c.state !== 'running') void c.resume().catch(() => undefined)
      return restart(track, { beat, anchorAt: 0, msPerBeat }, beat)
    },

    follow(track, timing) {
      if (run !== null && run.track.id === track.id && sameTiming(run.timing, timing)) return
      const c = ctx
      // The next track, anchored where the current one ends: no cut, it just goes on.
      if (run !== null && run.track.id !== track.id && c?.state === 'running' && sounding) {
        const end = wallAt(run.timing, lengthBeats(run.track))
        if (run.ended && Math.abs(timing.anchorAt - end) < 5) {
          run = { track, timing, until: timing.beat, ended: false }
          schedule()
          changed()
          return
        }
      }
      restart(track, timing)
    },

    stop() {
      stopTimer()
      const wasSounding = sounding && ctx?.state === 'running'
      const t = cut()
      run = null
      sounding = false
      const at = wasSounding && t !== undefined ? map().wallOf(t) : wallNow()
      stoppedAt = at
      changed()
      return { stoppedAt: at, sounding: wasSounding }
    },

    async unlock() {
      const c = context()
      if (c.state === 'running') return
      await Promise.race([c.resume().catch(() => undefined), new Promise((r) => setTimeout(r, unlockWaitMs))])
    },

    status() {
      return {
        audio: ctx?.state ?? 'none',
        sounding: sounding && ctx?.state === 'running',
        blocked: run !== null && ctx !== undefined && ctx.state !== 'running',
        voices: voices.size,
        trackId: run?.track.id ?? null,
        stoppedAt,
        startedAt
      }
    },

    level() {
      if (analyser === undefined) return 0
      const data = new Float32Array(analyser.fftSize)
      analyser.getFloatTimeDomainData(data)
      let sum = 0
      for (const x of data) sum += x * x
      return Math.sqrt(sum / data.length)
    },

    subscribe(fn) {
      listeners.add(fn)
      return () => listeners.delete(fn)
    }
  }
  return engine
}
