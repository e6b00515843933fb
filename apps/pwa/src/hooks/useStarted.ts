import { useEffect, useState } from 'react'
import type { Started } from '../start'

export type StartState =
  { phase: 'starting' } | ({ phase: 'ready' } & Started) | { phase: 'failed'; error: string }

function describe(err: unknown): string {
  if (err instanceof Error) return err.message === '' ? err.name : `${err.name}: ${err.message}`
  return String(err)
}

/**
 * Follows the start of the peer. The promise is created once, outside React, so that
 * StrictMode's double effects never start a second peer.
 */
export function useStarted(started: Promise<Started>): StartState {
  const [state, setState] = useState<StartState>({ phase: 'starting' })
  useEffect(() => {
    let current = true
    started.then(
      (value) => {
        if (current) setState({ phase: 'ready', ...value })
      },
      (err: unknown) => {
        if (current) setState({ phase: 'failed', error: describe(err) })
      }
    )
    return () => {
      current = false
    }
  }, [started])
  return state
}
