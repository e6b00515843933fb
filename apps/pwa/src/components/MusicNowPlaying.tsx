import type { WakeLockState } from '../hooks/useMusicWakeLock'
import type { AudioEngine, EngineStatus } from '../music/engine'
import type { Music } from '../music/music'
import { formatClock, maxTempo, minTempo, tempoStep } from '../music/position'
import { viewedBeat } from '../music/session-state'
import type { NowPlaying } from '../music/session-state'
import type { Track } from '../music/tracks'

interface MusicNowPlayingProps {
  music: Music
  now: NowPlaying
  /** The shared clock at this render. */
  at: number
  hostedHere: boolean
  audio: EngineStatus | undefined
  wakeLock: WakeLockState
  next: Track | undefined
  /** How long this page's last "Play here" took, end to end. */
  handoffMs: number | undefined
}

const wakeLockText: Record<WakeLockState, string> = {
  unsupported: 'not supported here',
  off: 'off',
  requesting: 'asking…',
  held: 'screen stays on',
  failed: 'refused by the browser'
}

function audioState(hostedHere: boolean, audio: EngineStatus | undefined): 'playing' | 'blocked' | 'off' {
  if (!hostedHere || audio === undefined) return 'off'
  if (audio.blocked) return 'blocked'
  return audio.sounding ? 'playing' : 'off'
}

/** A gap below zero is an overlap: the target sounded before the source's output went quiet. */
function describeGap(gapMs: number): string {
  return gapMs >= 0 ? `moved in ${Math.round(gapMs)} ms` : `moved in 0 ms (${Math.round(-gapMs)} ms overlap)`
}

function unlock(engine: AudioEngine): void {
  void engine.unlock()
}

/** The current track, its ticking position, the device that plays it and the last move. */
export function MusicNowPlaying({
  music,
  now,
  at,
  hostedHere,
  audio,
  wakeLock,
  next,
  handoffMs
}: MusicNowPlayingProps) {
  const beat = viewedBeat(now, at)
  const move = now.lastMove
  const sound = audioState(hostedHere, audio)
  return (
    <div className="music-now" data-testid="music-now" data-playing={String(now.playing)}>
      <p className="music-title" data-testid="music-title">
        {now.title === '' ? 'Nothing queued' : now.title}
      </p>
      <p className="music-where">
        <span data-testid="music-position" data-beat={beat.toFixed(2)}>
          {formatClock(beat * now.msPerBeat)} / {formatClock(now.lengthBeats * now.msPerBeat)}
        </span>
        {' on '}
        <strong data-testid="music-host" data-peer-id={now.host}>
          {now.hostName}
        </strong>
        {hostedHere && <span className="badge"> this device</span>}
      </p>
      <progress
        className="music-progress"
        max={Math.max(1, now.lengthBeats)}
        value={beat}
        aria-label="Position in the track"
      />
      <div className="music-controls">
        {now.playing ? (
          <button
            type="button"
            className="button button-small button-quiet"
            data-testid="music-pause"
            onClick={() => music.control('pause')}
          >
            Pause
          </button>
        ) : (
          <button
            type="button"
            className="button button-small button-quiet"
            data-testid="music-play"
            onClick={() => music.control('play')}
          >
            Play
          </button>
        )}
        <button
          type="button"
          className="button button-small button-quiet"
          data-testid="music-skip"
          onClick={() => music.control('skip')}
        >
          Skip
        </button>
        <span className="music-tempo">
          <button
            type="button"
            className="button button-small button-quiet"
            aria-label="Slower"
            disabled={now.tempo <= minTempo}
            onClick={() => music.control({ tempo: now.tempo - tempoStep })}
          >
            −
          </button>
          <span data-testid="music-tempo">{now.tempo} %</span>
          <button
            type="button"
            className="button button-small button-quiet"
            aria-label="Faster"
            disabled={now.tempo >= maxTempo}
            onClick={() => music.control({ tempo: now.tempo + tempoStep })}
          >
            +
          </button>
        </span>
      </div>
      <dl className="facts music-facts">
        <dt>Up next</dt>
        <dd data-testid="music-next">{next?.title ?? '—'}</dd>
        <dt>Last move</dt>
        <dd data-testid="music-gap" data-gap-ms={move?.gapMs == null ? '' : move.gapMs.toFixed(1)}>
          {move === null
            ? 'not moved yet'
            : `${move.fromName} → ${move.toName}, ${move.gapMs === null ? 'silent on arrival' : describeGap(move.gapMs)}`}
          {handoffMs !== undefined && ` (handoff call ${Math.round(handoffMs)} ms)`}
        </dd>
        <dt>Sound</dt>
        <dd data-testid="music-audio" data-audio={sound}>
          {sound === 'blocked' ? (
            <button
              type="button"
              className="button button-small"
              data-testid="music-enable-sound"
              onClick={() => unlock(music.engine)}
            >
              Tap to enable sound
            </button>
          ) : sound === 'playing' ? (
            'playing on this device'
          ) : hostedHere ? (
            'silent'
          ) : (
            `silent here, playing on ${now.hostName}`
          )}
        </dd>
        {hostedHere && (
          <>
            <dt>Wake lock</dt>
            <dd data-testid="music-wakelock" data-state={wakeLock}>
              {wakeLockText[wakeLock]}
            </dd>
          </>
        )}
      </dl>
    </div>
  )
}
