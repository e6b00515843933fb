import type { Mesh } from 'mesh-core'

/**
 * The life of a bench child process that hosts one mesh: it stops the mesh and exits
 * when the bench goes away (IPC disconnect), when asked, or after `maxLifetimeMs`,
 * whichever comes first, so no child outlives its bench.
 */
export function childLife(maxLifetimeMs: number): {
  hold: (m: Mesh) => void
  exit: (code: number) => Promise<void>
} {
  let mesh: Mesh | undefined
  let exiting = false
  const exit = async (code: number): Promise<void> => {
    if (exiting) return
    exiting = true
    await mesh?.stop().catch(() => {})
    process.exit(code)
  }
  setTimeout(() => void exit(3), maxLifetimeMs).unref()
  process.on('disconnect', () => void exit(0))
  return { hold: (m) => void (mesh = m), exit }
}
