import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { signRecord } from 'mesh-core'
import type { PeerRecord } from 'mesh-core'
import { startRelay, tempDir } from './helpers.js'

async function leavingRecord(state: PeerRecord['state'] = 'leaving'): Promise<Uint8Array> {
  const key = await generateKeyPair('Ed25519')
  const record: PeerRecord = {
    peer: peerIdFromPrivateKey(key).toString(),
    seq: Date.now() * 1_000,
    name: 'closing-tab',
    role: 'browser',
    caps: {},
    addrs: [],
    startedAt: Date.now(),
    state
  }
  return (await signRecord(record, key)).envelope
}

describe('POST /bye (a closing page’s beacon)', () => {
  it('accepts a signed leaving record and refuses anything else', async () => {
    await using data = await tempDir()
    await using relay = await startRelay({ dataDir: data.path })
    const post = (body: Uint8Array): Promise<Response> =>
      fetch(`${relay.url}/bye`, { method: 'POST', body: new Blob([new Uint8Array(body)]) })
    expect((await post(await leavingRecord())).status).toBe(204)
    expect((await post(await leavingRecord('up'))).status).toBe(400)
    expect((await post(new Uint8Array([1, 2, 3]))).status).toBe(400)
    expect((await post(new Uint8Array(20_000))).status).toBe(413)
    // Other paths still take GET and HEAD only, and the server keeps serving.
    expect((await fetch(`${relay.url}/healthz`, { method: 'POST', body: 'x' })).status).toBe(405)
    expect((await fetch(`${relay.url}/healthz`)).status).toBe(200)
  })
})
