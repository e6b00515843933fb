import { useId, useState } from 'react'
import type { Mesh } from 'mesh-core'
import { useMusic } from '../hooks/useMusic'
import { useMusicWakeLock } from '../hooks/useMusicWakeLock'
import { MusicNowPlaying } from './MusicNowPlaying'
import { MusicPlaylist } from './MusicPlaylist'
import { MusicTrackForm } from './MusicTrackForm'
import '../styles/music.css'

interface MusicPanelProps {
  /** The running peer; the panel waits until there is one. */
  mesh: Mesh | undefined
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message || err.name : String(err)
}

/**
 * The music session: what plays, where and from which position, on every peer. The peer
 * that hosts the session plays it; "Play here" moves it, live, to this device.
 */
export function MusicPanel({ mesh }: MusicPanelProps) {
  const view = useMusic(mesh)
  const { music, now, hostedHere } = view
  const wakeLock = useMusicWakeLock(hostedHere && now?.playing === true)
  const [busy, setBusy] = useState<'start' | 'move'>()
  const [error, setError] = useState<string>()
  const [handoffMs, setHandoffMs] = useState<number>()
  const ids = useId()

  const act = (kind: 'start' | 'move', run: () => Promise<unknown>): void => {
    setBusy(kind)
    setError(undefined)
    run().then(
      (v) => {
        if (kind === 'move' && typeof v === 'number') setHandoffMs(v)
        setBusy(undefined)
      },
      (err: unknown) => {
        setError(describe(err))
        setBusy(undefined)
      }
    )
  }

  const noSession = view.session === undefined || now === undefined
  return (
    <section
      className="card music"
      aria-labelledby={`${ids}-heading`}
      data-testid="music-panel"
      data-host={now?.host ?? ''}
      data-hosted-here={String(hostedHere)}
    >
      <div className="card-head">
        <h2 id={`${ids}-heading`}>Music</h2>
        {music !== undefined && noSession && (
          <button
            type="button"
            className="button button-small"
            data-testid="music-start"
            disabled={busy !== undefined}
            onClick={() => act('start', () => music.start())}
          >
            Start session
          </button>
        )}
        {music !== undefined && !noSession && !hostedHere && (
          <button
            type="button"
            className="button button-small"
            data-testid="music-play-here"
            disabled={busy !== undefined}
            onClick={() => act('move', () => music.playHere())}
          >
            {busy === 'move' ? 'Moving…' : 'Play here'}
          </button>
        )}
      </div>
      {error !== undefined && (
        <p className="run-error" role="alert" data-testid="music-error">
          {error}
        </p>
      )}
      {now === undefined ? (
        <p className="muted" data-testid="music-idle">
          No session is playing. Start one, and any device can take it over.
        </p>
      ) : (
        music !== undefined && (
          <MusicNowPlaying
            music={music}
            now={now}
            at={view.at}
            hostedHere={hostedHere}
            audio={view.audio}
            wakeLock={wakeLock}
            next={view.next}
            handoffMs={handoffMs}
          />
        )
      )}
      {music !== undefined && (
        <>
          <MusicPlaylist
            tracks={view.tracks}
            counts={view.counts}
            mine={view.mine}
            current={now?.trackId ?? null}
            onVote={(id) => void music.toggleVote(id).catch((err: unknown) => setError(describe(err)))}
          />
          <MusicTrackForm onAdd={(input) => music.addTrack(input)} />
        </>
      )}
    </section>
  )
}
