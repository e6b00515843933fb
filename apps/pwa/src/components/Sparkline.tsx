const widthPx = 72
const heightPx = 18
/** Keeps the stroke inside the box at the top and bottom. */
const padPx = 1.5

/**
 * A tiny line of the last RTT samples (mesh-core keeps 60), oldest on the left. The scale
 * starts at zero, so a low, flat line means a fast link rather than exaggerated jitter.
 */
export function Sparkline({ values }: { values: readonly number[] }) {
  if (values.length < 2) return null
  const max = Math.max(...values)
  const step = widthPx / (values.length - 1)
  const y = (v: number): number =>
    max <= 0 ? heightPx - padPx : heightPx - padPx - (v / max) * (heightPx - 2 * padPx)
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${y(v).toFixed(1)}`).join(' ')
  return (
    <svg
      className="sparkline"
      data-testid="rtt-sparkline"
      viewBox={`0 0 ${widthPx} ${heightPx}`}
      width={widthPx}
      height={heightPx}
      role="img"
      aria-label={`Last ${values.length} round trips, up to ${max.toFixed(1)} ms`}
    >
      <polyline points={points} fill="none" stroke="currentColor" strokeWidth={1.5} strokeLinejoin="round" />
    </svg>
  )
}
