import { useEffect, useRef, useState } from 'react'
import { describeFailure } from '../tasks/run-task'
import { addSample, emptyPlot } from '../sensors/plot'
import type { PlotState } from '../sensors/plot'
import { failureName, streamFrom } from '../sensors/remote'
import type { RemoteComponents, SampleStream } from '../sensors/remote'

export interface StreamRequest {
  peer: string
  sensor: string
  rateHz: number
  durationMs: number
}

export interface StreamView {
  status: 'idle' | 'streaming' | 'ended' | 'failed'
  request?: StreamRequest
  plot: PlotState
  error?: string
}

/** Streams samples of a sensor from a chosen peer into a plot; `stop()` cancels the task. */
export function useSensorStream(mesh: RemoteComponents | undefined): {
  view: StreamView
  start: (request: StreamRequest) => void
  stop: () => void
} {
  const [view, setView] = useState<StreamView>({ status: 'idle', plot: emptyPlot })
  const current = useRef<SampleStream | undefined>(undefined)

  const stop = (): void => {
    current.current?.cancel()
    current.current = undefined
  }
  useEffect(() => stop, [])

  const start = (request: StreamRequest): void => {
    if (mesh === undefined) return
    stop()
    const { peer, ...args } = request
    const task = streamFrom(mesh, peer, args)
    current.current = task
    setView({ status: 'streaming', request, plot: emptyPlot })
    const run = async (): Promise<void> => {
      for await (const s of task) {
        if (current.current !== task) return
        setView((v) => ({ ...v, plot: addSample(v.plot, s) }))
      }
    }
    run().then(
      () => {
        if (current.current === task) current.current = undefined
        setView((v) => (v.request === request ? { ...v, status: 'ended' } : v))
      },
      (err: unknown) => {
        if (current.current === task) current.current = undefined
        const f = describeFailure(err)
        // Stopping it ourselves is no failure.
        if (f.code === 'CANCELLED')
          return setView((v) => (v.request === request ? { ...v, status: 'ended' } : v))
        const error = `${failureName(err, f.code)}: ${f.message}`
        setView((v) => (v.request === request ? { ...v, status: 'failed', error } : v))
      }
    )
  }
  return { view, start, stop }
}
