import type { Sample } from './types'

/** Points kept per axis for the live plot. */
export const plotWindow = 120
/** The measured rate looks at the samples of about this long. */
const rateWindowMs = 2_000

/** What the live plot shows: the last samples per axis, how many came, and how fast. */
export interface PlotState {
  count: number
  last: Sample | undefined
  /** One list per axis (one for a scalar sensor), oldest first, at most `plotWindow` each. */
  axes: number[][]
  /** Recent sample times, for the rate. */
  times: number[]
  /** Samples per second over the last `rateWindowMs`, by the sender's clock. */
  rateHz: number
}

export const emptyPlot: PlotState = { count: 0, last: undefined, axes: [], times: [], rateHz: 0 }

function numbers(value: Sample['value']): number[] | undefined {
  if (typeof value === 'number') return [value]
  if (typeof value === 'boolean') return [value ? 1 : 0]
  return Array.isArray(value) ? value : undefined
}

/** The plot with `s` added; strings (the network type) count but do not plot. */
export function addSample(state: PlotState, s: Sample): PlotState {
  const values = numbers(s.value)
  const axes =
    values === undefined ? state.axes : values.map((v, i) => [...(state.axes[i] ?? []), v].slice(-plotWindow))
  const times = [...state.times.filter((t) => t > s.at - rateWindowMs && t <= s.at), s.at]
  const first = times[0] ?? s.at
  const span = s.at - first
  const rateHz = times.length > 1 && span > 0 ? ((times.length - 1) * 1_000) / span : state.rateHz
  return { count: state.count + 1, last: s, axes, times, rateHz }
}

/** How a value reads under the plot: `1.50, -2.30, 9.80`. */
export function formatValue(value: Sample['value']): string {
  if (Array.isArray(value)) return value.map((v) => v.toFixed(2)).join(', ')
  return typeof value === 'number' ? value.toFixed(2) : String(value)
}
