import { createMesh } from '../src/index.ts'
import type { Mesh, MeshOptions } from '../src/index.ts'

/** Wait for a condition, with a deadline; never a fixed sleep. */
export async function until(cond: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what} not met within ${ms} ms`)
    await new Promise<void>((r) => setTimeout(r, 10))
  }
}

const FAST = { pingIntervalMs: 500, heartbeatIntervalMs: 500, suspectAfterMs: 1_500, downAfterMs: 3_000 }

export async function startRelay(o: MeshOptions = {}): Promise<Mesh> {
  return createMesh({
    role: 'relay',
    name: 'relay',
    listen: ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws'],
    health: FAST,
    ...o
  })
}

export function wsAddrs(relay: Mesh): string[] {
  return relay.addresses().filter((a) => a.includes('/ws'))
}

export async function startDevice(relay: Mesh, o: MeshOptions = {}): Promise<Mesh> {
  return createMesh({
    bootstrap: wsAddrs(relay),
    mdns: false,
    listen: ['/ip4/127.0.0.1/tcp/0', '/p2p-circuit', '/webrtc'],
    health: FAST,
    ...o
  })
}

/** Stops every mesh a test started, whatever happened. */
export class Fleet implements AsyncDisposable {
  readonly meshes: Mesh[] = []
  add<T extends Mesh>(m: T): T {
    this.meshes.push(m)
    return m
  }
  async [Symbol.asyncDispose](): Promise<void> {
    await Promise.allSettled(this.meshes.map((m) => m.stop()))
  }
}
