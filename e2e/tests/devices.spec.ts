import { spawn } from 'node:child_process'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'

const BRIDGE_BIN = join(new URL('../..', import.meta.url).pathname, 'packages/hw-bridge/dist/mesh-bridge.js')

interface Bridge {
  peerId: Promise<string>
  joined: Set<string>
  child: ChildProcessWithoutNullStreams
}

/** `mesh-bridge` with no configuration at all (only JSON logs, so the test can read them). */
function bridge(): Bridge {
  const child = spawn(process.execPath, [BRIDGE_BIN, '--json'])
  const joined = new Set<string>()
  let buffered = ''
  const peerId = new Promise<string>((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`mesh-bridge exited with ${code}`)))
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString()
      const lines = buffered.split('\n')
      buffered = lines.pop() ?? ''
      for (const line of lines) {
        const msg = JSON.parse(line) as { msg: string; peerId?: string; id?: string }
        if (msg.msg === 'mesh-bridge started' && msg.peerId !== undefined) resolve(msg.peerId)
        if (msg.msg === 'peer joined' && msg.id !== undefined) joined.add(msg.id)
      }
    })
  })
  return { peerId, joined, child }
}

async function stop(b: Bridge): Promise<void> {
  if (b.child.exitCode !== null || b.child.signalCode !== null) return
  const exited = new Promise((r) => b.child.on('exit', r))
  b.child.kill('SIGTERM')
  await exited
}

// mDNS needs multicast on a real interface: the test namespace's veth pair has it.
test('two mesh-bridge processes with no flags find each other on the LAN (mDNS)', async () => {
  const a = bridge()
  const b = bridge()
  try {
    const [ida, idb] = await Promise.all([a.peerId, b.peerId])
    await expect.poll(() => a.joined.has(idb), { timeout: 30_000 }).toBe(true)
    await expect.poll(() => b.joined.has(ida), { timeout: 30_000 }).toBe(true)
  } finally {
    await Promise.all([stop(a), stop(b)])
  }
})
