import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { openRecord, signRecord } from '../src/registry/record.ts'
import type { PeerRecord } from '../src/registry/record.ts'
import { decodeCbor, encodeCbor } from '../src/wire/cbor.ts'

async function fixture(): Promise<{ key: Awaited<ReturnType<typeof generateKeyPair>>; record: PeerRecord }> {
  const key = await generateKeyPair('Ed25519')
  const record: PeerRecord = {
    peer: peerIdFromPrivateKey(key).toString(),
    seq: 1,
    name: 'pi',
    role: 'device',
    caps: { cpu: 4 },
    addrs: ['/ip4/127.0.0.1/tcp/1'],
    startedAt: 1,
    state: 'up'
  }
  return { key, record }
}

describe('signed peer records', () => {
  it('round-trip through sign and open', async () => {
    const { key, record } = await fixture()
    const signed = await signRecord(record, key)
    expect((await openRecord(signed.envelope)).record).toEqual(record)
  })
  it('reject a record signed by someone else', async () => {
    const { record } = await fixture()
    const other = await generateKeyPair('Ed25519')
    const forged = await signRecord(record, other)
    await expect(openRecord(forged.envelope)).rejects.toMatchObject({
      name: 'BadMessageError',
      message: /signature/
    })
  })
  it('reject a tampered payload', async () => {
    const { key, record } = await fixture()
    const env = decodeCbor((await signRecord(record, key)).envelope) as { r: Uint8Array; s: Uint8Array }
    const tampered = encodeCbor({ r: encodeCbor({ ...record, caps: { cpu: 64 } }), s: env.s })
    await expect(openRecord(tampered)).rejects.toMatchObject({ name: 'BadMessageError' })
  })
  it('reject malformed records, naming the field', async () => {
    const { key, record } = await fixture()
    const bad = { ...record, role: 'emperor' } as unknown as PeerRecord
    await expect(openRecord((await signRecord(bad, key)).envelope)).rejects.toThrow(/role/)
    const extra = { ...record, admin: true } as unknown as PeerRecord
    await expect(openRecord((await signRecord(extra, key)).envelope)).rejects.toThrow(/unknown field/)
    await expect(openRecord(new Uint8Array([1, 2, 3]))).rejects.toMatchObject({ name: 'BadMessageError' })
  })
  it('refuse oversized records on both sides', async () => {
    const { key, record } = await fixture()
    const big = { ...record, addrs: Array.from({ length: 32 }, () => '/dns4/' + 'x'.repeat(500)) }
    await expect(signRecord(big, key)).rejects.toMatchObject({ name: 'TooLargeError' })
    await expect(openRecord(new Uint8Array(20_000))).rejects.toMatchObject({ name: 'TooLargeError' })
  })
})
