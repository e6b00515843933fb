import type { Track } from '../music/tracks'
import { presetLabels } from '../music/tracks'

interface MusicPlaylistProps {
  /** In playlist order. */
  tracks: readonly Track[]
  counts: ReadonlyMap<string, number>
  /** The tracks this peer voted for. */
  mine: ReadonlySet<string>
  current: string | null
  onVote: (trackId: string) => void
}

/** The shared playlist: every peer sees the same tracks and votes, and votes once per track. */
export function MusicPlaylist({ tracks, counts, mine, current, onVote }: MusicPlaylistProps) {
  return (
    <ol className="peers music-playlist" aria-label="Playlist">
      {tracks.length === 0 && <li className="muted">The playlist is empty.</li>}
      {tracks.map((t) => {
        const votes = counts.get(t.id) ?? 0
        const voted = mine.has(t.id)
        return (
          <li
            key={t.id}
            className={t.id === current ? 'peer music-track music-current' : 'peer music-track'}
            data-testid="music-track-row"
            data-track-id={t.id}
            data-current={String(t.id === current)}
          >
            <span className="music-track-main">
              <span className="music-track-title" data-testid="music-track-title">
                {t.title}
              </span>
              <span className="muted music-track-meta">
                {presetLabels[t.preset]} · {t.bpm} bpm · added by {t.by}
              </span>
            </span>
            <button
              type="button"
              className={voted ? 'button button-small' : 'button button-small button-quiet'}
              data-testid="music-vote"
              aria-pressed={voted}
              aria-label={voted ? `Take back your vote for ${t.title}` : `Vote for ${t.title}`}
              onClick={() => onVote(t.id)}
            >
              ▲ <span data-testid="music-votes">{votes}</span>
            </button>
          </li>
        )
      })}
    </ol>
  )
}
