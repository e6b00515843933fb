import type { Capabilities } from 'mesh-core'
import { formatCapability } from '../config/capabilities'

/** One chip per capability, `key=value`, in key order. */
export function CapChips({ capabilities }: { capabilities: Capabilities }) {
  const entries = Object.entries(capabilities).sort(([a], [b]) => a.localeCompare(b))
  return (
    <ul className="chips" data-testid="peer-caps" aria-label="Capabilities">
      {entries.map(([key, value]) => (
        <li key={key} className="chip" data-testid="cap">
          {formatCapability(key, value)}
        </li>
      ))}
    </ul>
  )
}
