import { arch, cpus, platform, totalmem } from 'node:os'
import type { Capabilities } from 'mesh-core'

/** The host's basics as capabilities: what any Node device can say about itself. */
export function hostCapabilities(): Capabilities {
  const list = cpus()
  const caps: Capabilities = {
    cpu: list.length,
    memoryMb: Math.round(totalmem() / 1_048_576),
    platform: platform(),
    arch: arch()
  }
  const model = list[0]?.model.trim()
  if (model !== undefined && model.length > 0) caps.cpuModel = model.slice(0, 128)
  return caps
}
