import { useId, useState } from 'react'
import type { FormEvent } from 'react'
import { maxBpm, maxTitleLength, minBpm, presetIds, presetLabels } from '../music/tracks'
import type { TrackInput, TrackParse } from '../music/tracks'

interface MusicTrackFormProps {
  onAdd: (input: TrackInput) => Promise<TrackParse>
}

/** Adds a track to the shared playlist: a title, a sound preset and a tempo. */
export function MusicTrackForm({ onAdd }: MusicTrackFormProps) {
  const [title, setTitle] = useState('')
  const [preset, setPreset] = useState<string>(presetIds[0])
  const [bpm, setBpm] = useState('120')
  const [error, setError] = useState<string>()
  const ids = useId()

  const submit = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault()
    onAdd({ title, preset, bpm }).then(
      (r) => {
        if (r.ok) {
          setTitle('')
          setError(undefined)
        } else setError(r.error)
      },
      (err: unknown) => setError(err instanceof Error ? err.message : String(err))
    )
  }

  return (
    <form className="task-form music-form" onSubmit={submit} aria-label="Add a track">
      <label htmlFor={`${ids}-title`}>Title</label>
      <input
        id={`${ids}-title`}
        data-testid="music-add-title"
        type="text"
        autoComplete="off"
        maxLength={maxTitleLength}
        placeholder="Name your track"
        value={title}
        onChange={(event) => setTitle(event.target.value)}
      />
      <label htmlFor={`${ids}-preset`}>Sound</label>
      <select
        id={`${ids}-preset`}
        data-testid="music-add-preset"
        value={preset}
        onChange={(event) => setPreset(event.target.value)}
      >
        {presetIds.map((p) => (
          <option key={p} value={p}>
            {presetLabels[p]}
          </option>
        ))}
      </select>
      <label htmlFor={`${ids}-bpm`}>Tempo</label>
      <input
        id={`${ids}-bpm`}
        data-testid="music-add-bpm"
        type="number"
        min={minBpm}
        max={maxBpm}
        value={bpm}
        onChange={(event) => setBpm(event.target.value)}
      />
      <button type="submit" className="button button-small" data-testid="music-add-submit">
        Add track
      </button>
      {error !== undefined && (
        <p className="run-error music-form-error" role="alert" data-testid="music-add-error">
          {error}
        </p>
      )}
    </form>
  )
}
