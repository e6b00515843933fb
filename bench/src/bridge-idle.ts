/**
 * The RSS bench's middle baseline (bridge-rss.ts): a bare `createMesh` device in its own
 * process, with the mesh options mesh-bridge uses (device role, the relay as bootstrap, TCP,
 * circuit and WebRTC listeners, no mDNS) and nothing else. It reports `{ type: 'ready' }`
 * over IPC once online, then idles; it exits when the bench goes away or after
 * MAX_LIFETIME_MS.
 *
 *   bridge-idle.js <name> <bootstrap…>
 */
import { createMesh } from 'mesh-core'
import { childLife } from './child-life.ts'
import { until } from './until.ts'

const MAX_LIFETIME_MS = 120_000
const ONLINE_MS = 30_000

export type FromBridgeIdle = { type: 'ready' } | { type: 'failed'; message: string }

function send(msg: FromBridgeIdle): void {
  process.send?.(msg)
}

const { hold, exit } = childLife(MAX_LIFETIME_MS)

try {
  const [name, ...bootstrap] = process.argv.slice(2)
  if (name === undefined || bootstrap.length === 0)
    throw new Error('usage: bridge-idle.js <name> <bootstrap…>')
  const mesh = await createMesh({
    role: 'device',
    name,
    bootstrap,
    listen: ['/ip4/0.0.0.0/tcp/0', '/p2p-circuit', '/webrtc'],
    mdns: false
  })
  hold(mesh)
  await until(() => mesh.connectionState() === 'online', ONLINE_MS, 'online', 20)
  send({ type: 'ready' })
} catch (err) {
  send({ type: 'failed', message: (err as Error).message })
  await exit(2)
}
