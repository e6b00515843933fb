const widthPx = 240
const heightPx = 48
const padPx = 2

/** Axis names for three-axis sensors, else numbered. */
const axisNames = ['x', 'y', 'z', 'w']

function polyline(values: readonly number[], min: number, max: number): string {
  const step = values.length > 1 ? widthPx / (values.length - 1) : 0
  const span = max - min
  const y = (v: number): number =>
    span <= 0 ? heightPx / 2 : heightPx - padPx - ((v - min) / span) * (heightPx - 2 * padPx)
  return values.map((v, i) => `${(i * step).toFixed(1)},${y(v).toFixed(1)}`).join(' ')
}

/**
 * A live plot of one sensor: one line per axis, each scaled to its own range (a sparkline
 * like the RTT one, but signed and with several axes), the latest value beside it.
 */
export function SensorPlot({ axes }: { axes: readonly (readonly number[])[] }) {
  if (axes.length === 0) return <p className="muted">No samples yet.</p>
  return (
    <div className="sensor-plot" data-testid="sensor-plot">
      {axes.map((values, i) => {
        const min = Math.min(...values)
        const max = Math.max(...values)
        const name = axisNames[i] ?? String(i)
        return (
          <div
            key={name}
            className={`sensor-axis sensor-axis-${i}`}
            data-testid="sensor-axis"
            data-axis={name}
          >
            <span className="sensor-axis-name">{name}</span>
            <svg
              viewBox={`0 0 ${widthPx} ${heightPx}`}
              preserveAspectRatio="none"
              role="img"
              aria-label={`${name}: last ${values.length} samples, ${min.toFixed(2)} to ${max.toFixed(2)}`}
            >
              <polyline
                points={polyline(values, min, max)}
                fill="none"
                stroke="currentColor"
                strokeWidth={1.5}
                strokeLinejoin="round"
                vectorEffect="non-scaling-stroke"
              />
            </svg>
            <span className="numeric sensor-axis-value">{values.at(-1)?.toFixed(2)}</span>
          </div>
        )
      })}
    </div>
  )
}
