import { describe, expect, it } from 'vitest'
import { parseDownNotice } from '../src/membership/down-notices.ts'

describe('down notices', () => {
  const peer = '12D3KooWExample'

  it('accepts a notice, and a goodbye with its reason and signed record', () => {
    expect(parseDownNotice({ peer, seq: 3 })).toEqual({ peer, seq: 3 })
    const rec = new Uint8Array([1, 2, 3])
    expect(parseDownNotice({ peer, seq: 3, reason: 'normal', rec })).toEqual({
      peer,
      seq: 3,
      reason: 'normal',
      rec
    })
    expect(parseDownNotice({ peer, seq: 3, reason: 'normal' })).toEqual({ peer, seq: 3, reason: 'normal' })
  })

  it('rejects bad fields and unknown ones', () => {
    expect(() => parseDownNotice({ peer, seq: -1 })).toThrow(/seq/)
    expect(() => parseDownNotice({ peer, seq: 1, reason: 'crash' })).toThrow(/reason/)
    expect(() => parseDownNotice({ peer, seq: 1, rec: 'x' })).toThrow(/record/)
    expect(() => parseDownNotice({ peer, seq: 1, rec: new Uint8Array(20_000) })).toThrow(/record/)
    expect(() => parseDownNotice({ peer, seq: 1, extra: 1 })).toThrow(/unknown field/)
    expect(() => parseDownNotice(null)).toThrow()
  })
})
