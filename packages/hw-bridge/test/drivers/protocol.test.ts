import { describe, expect, it } from 'vitest'
import { LineSplitter, decodeUtf8 } from '../../src/drivers/lines.ts'
import type { LineEvent } from '../../src/drivers/lines.ts'
import { parseDriverInit, parseDriverLine } from '../../src/drivers/index.ts'

function split(chunks: Array<string | Buffer>, max = 16): Array<string | { oversized: number }> {
  const out: Array<string | { oversized: number }> = []
  const splitter = new LineSplitter(max, (e: LineEvent) =>
    out.push(e.kind === 'line' ? e.bytes.toString('utf8') : { oversized: e.bytes })
  )
  for (const chunk of chunks) splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
  splitter.end()
  return out
}

describe('LineSplitter', () => {
  it('splits across chunks, strips CR, and keeps a last line without newline', () => {
    expect(split(['ab', 'c\nde', 'f\r\n\ng'])).toEqual(['abc', 'def', '', 'g'])
  })

  it('keeps a multi-byte character that spans two chunks', () => {
    const bytes = Buffer.from('°C\n')
    expect(split([bytes.subarray(0, 1), bytes.subarray(1)])).toEqual(['°C'])
  })

  it('drops an oversized line without buffering it, and carries on', () => {
    expect(split(['0123456789', '0123456789', '01\nok\n'])).toEqual([{ oversized: 22 }, 'ok'])
    expect(split(['x'.repeat(16), '\n', 'x'.repeat(17), '\n'])).toEqual(['x'.repeat(16), { oversized: 17 }])
  })

  it('tells text from binary', () => {
    expect(decodeUtf8(Buffer.from('héllo'))).toBe('héllo')
    expect(decodeUtf8(Buffer.from([0xc3]))).toBeUndefined()
  })
})

describe('parseDriverLine', () => {
  it('accepts every message type and ignores unknown fields', () => {
    const lines = [
      '{"type":"hello","protocol":1}',
      '{"type":"hello","protocol":1,"name":"x","capabilities":{"a":1,"b":true,"c":"s","d":["x"]},"sensors":[{"id":"t","kind":"temperature","unit":"°C","push":true}],"tasks":["x.go"],"future":1}',
      '{"type":"result","id":1,"value":{"any":[1]}}',
      '{"type":"result","id":1}',
      '{"type":"error","id":2,"message":"no","code":"E_X"}',
      '{"type":"sample","sensor":"t","value":[1,2,3],"at":1700000000000}',
      '{"type":"capabilities","capabilities":{}}',
      '{"type":"log","level":"debug","msg":"hi"}'
    ]
    for (const line of lines) expect(parseDriverLine(line), line).toMatchObject({ ok: true })
    expect(parseDriverLine('{"type":"result","id":1,"value":2,"extra":3}')).toEqual({
      ok: true,
      value: { type: 'result', id: 1, value: 2 }
    })
  })

  it('rejects wrong shapes with a reason', () => {
    const bad: Array<[string, RegExp]> = [
      ['', /not JSON/],
      ['null', /not a JSON object/],
      ['{"id":1}', /missing "type"/],
      ['{"type":"toString"}', /unknown type "toString"/],
      ['{"type":"result","id":0}', /bad "result": id/],
      ['{"type":"result","id":1.5}', /bad "result": id/],
      ['{"type":"hello","protocol":"1"}', /bad "hello": protocol/],
      ['{"type":"hello","protocol":1,"capabilities":{"__proto__":1}}', /"__proto__"/],
      ['{"type":"hello","protocol":1,"capabilities":{"_x":1}}', /bad "hello": capabilities/],
      ['{"type":"hello","protocol":1,"sensors":[{"id":"a b","kind":"t"}]}', /bad "hello": sensors\.0\.id/],
      ['{"type":"sample","sensor":"t","value":1e400}', /bad "sample": value/],
      ['{"type":"log","level":"loud","msg":"x"}', /bad "log": level/],
      ['{"type":"capabilities","capabilities":{"a":{"b":1}}}', /bad "capabilities": capabilities\.a/]
    ]
    for (const [line, reason] of bad) {
      const parsed = parseDriverLine(line)
      expect(parsed.ok, line).toBe(false)
      if (!parsed.ok) expect(parsed.error, line).toMatch(reason)
    }
  })
})

describe('parseDriverInit', () => {
  it('accepts a config entry and reports what is wrong with a bad one', () => {
    const entry = {
      name: 'dht22',
      command: 'python3',
      args: ['dht22.py', '--simulate'],
      restart: { maxMs: 60_000 }
    }
    expect(parseDriverInit(entry)).toEqual({ ok: true, value: entry })
    const bad = parseDriverInit({ name: 'a.b', command: '', restrat: {} })
    expect(bad.ok).toBe(false)
    if (!bad.ok) {
      expect(bad.error).toMatch(/→ at name/)
      expect(bad.error).toMatch(/→ at command/)
      expect(bad.error).toMatch(/Unrecognized key: "restrat"/)
    }
  })
})
