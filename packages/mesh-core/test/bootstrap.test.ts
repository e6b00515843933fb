import { describe, expect, it } from 'vitest'
import { parseBootstrapDocument, parseBootstrapEntry } from '../src/bootstrap.ts'

const PEER = '12D3KooWJj4NUiZLT4ovzpcbrGqeHm9A9yqnC6EKhsrosAEPXSUN'

describe('bootstrap entries', () => {
  it('accept a relay multiaddr with /p2p/ and a URL', () => {
    expect(parseBootstrapEntry(`/ip4/127.0.0.1/tcp/1/ws/p2p/${PEER}`)).toMatchObject({
      kind: 'addr',
      peer: PEER
    })
    expect(parseBootstrapEntry('http://localhost:8080/bootstrap.json')).toMatchObject({ kind: 'url' })
  })
  it.each([
    ['/ip4/127.0.0.1/tcp/1/ws', /\/p2p\//],
    ['/ip4/999.1.1.1/tcp/1/p2p/' + PEER, /not a multiaddr/],
    ['relay.local:8080', /expected a multiaddr/],
    ['', /non-empty/]
  ])('reject %s with an error that names it', (addr, why) => {
    try {
      parseBootstrapEntry(addr)
      expect.unreachable()
    } catch (err) {
      expect((err as Error).name).toBe('InvalidBootstrapAddressError')
      expect((err as Error).message).toContain(`"${addr}"`)
      expect((err as Error).message).toMatch(why)
    }
  })
  it('keep the good entries of a document and report the bad ones', () => {
    const { entries, problems } = parseBootstrapDocument('http://x/bootstrap.json', {
      addresses: [`/ip4/127.0.0.1/tcp/1/ws/p2p/${PEER}`, 'garbage', 42]
    })
    expect(entries).toHaveLength(1)
    expect(problems).toHaveLength(2)
    expect(parseBootstrapDocument('u', { nope: 1 }).problems[0]).toMatch(/addresses/)
  })
})
