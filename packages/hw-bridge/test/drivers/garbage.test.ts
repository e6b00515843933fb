import { describe, expect, it } from 'vitest'
import { Harness, call } from './harness.ts'

describe('DriverSource: lines that break the protocol', () => {
  const cases: Array<[kind: string, reason: RegExp]> = [
    ['text', /\(not JSON\): "this is not json"/],
    ['array', /\(not a JSON object\): "\[1,2,3\]"/],
    ['shape', /\(bad "result": id: .*\): /],
    ['unknownType', /\(unknown type "teleport"\)/],
    ['badSample', /\(bad "sample": value: .*\)/],
    ['undeclared', /\(sample of undeclared sensor "nope"\)/],
    ['hello', /\(a second hello\)/],
    ['binary', /\(not UTF-8 text\): "\ufffd\ufffd\\u0000\\u0001\ufffd\ufffd"/],
    ['oversized', /\(line of 70\d\d\d bytes is longer than 65536\): "\{\\"type\\":\\"log\\".*…"$/]
  ]

  for (const [kind, reason] of cases) {
    it(`rejects a ${kind} line with a clear log, and keeps working`, async () => {
      await using h = await new Harness({}).up()
      expect(await call(h.source, 'fake.garbage', [kind])).toBe('done')
      const rejected = await h.nth('garbage', 1)
      const line = h.logged(/rejected a line/)
      expect(line).toMatchObject({ level: 'warn', fields: { driver: 'fake', excerpt: rejected.excerpt } })
      expect(line?.msg).toMatch(/^driver fake: rejected a line /)
      expect(line?.msg).toMatch(reason)
      expect(rejected.excerpt.length).toBeLessThan(200)
      // The next valid line works, and nothing was withdrawn.
      expect(await h.source.read('fake.temperature')).toMatchObject({ value: 21.5 })
      expect(h.source.status).toBe('up')
      expect(h.count('down')).toBe(0)
      expect(h.changes).toBe(1)
    })
  }

  it('rejects anything but hello (or log) before hello, then accepts the hello', async () => {
    await using h = await new Harness({
      flags: ['--before-hello={"type":"sample","sensor":"x","value":1}']
    }).up()
    expect(h.logged(/rejected a line \("sample" before hello\)/)).toBeDefined()
    expect(h.source.status).toBe('up')
  })

  it('restarts a driver that sends more garbage than the window allows', async () => {
    await using h = await new Harness({ garbage: { max: 3, windowMs: 60_000 } }).up()
    await call(h.source, 'fake.garbage', ['text', 'array', 'binary'])
    expect(h.count('down')).toBe(0)
    await expect(call(h.source, 'fake.garbage', ['text'])).rejects.toMatchObject({ code: 'UNAVAILABLE' })
    expect(await h.nth('down', 1)).toMatchObject({
      reason: 'garbage',
      detail: '4 rejected lines within 60000 ms'
    })
    expect(h.logged(/4 rejected lines within 60000 ms; restarting it/)).toMatchObject({ level: 'error' })
    expect(h.source.capabilities()).toEqual({})
    await h.nth('up', 2)
    expect(await call(h.source, 'fake.echo', 'back')).toBe('back')
  })
})
