import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseCallArgs, parseCast, parseSpawn, parseVirtual } from '../src/actors/casts.ts'
import {
  MAX_CHILDREN_PER_PEER,
  MAX_NAMES_PER_PEER,
  MAX_REGISTERED_NAME,
  directoryProblem,
  MAX_GUESTS_PER_PEER,
  nameProblem
} from '../src/actors/directory.ts'
import type { ChildEntry } from '../src/actors/directory.ts'
import { MAX_PID_LENGTH } from '../src/actors/pid.ts'
import { MAX_CAST_KIND, parseRpcFrame } from '../src/rpc/frames.ts'
import { recordProblem } from '../src/registry/record.ts'

const P = 'host/a.1'
const Q = 'other/b.2'
const KINDS = ['send', 'mon', 'demon', 'down', 'link', 'unlink', 'exit', 'adopt'] as const
/** Values that are not a pid: no '/', '/' at either end, too long, not a string. */
const BAD_PIDS: unknown[] = [
  'nopid',
  '/x',
  'x/',
  '',
  'h/' + 'x'.repeat(MAX_PID_LENGTH),
  7,
  null,
  ['a/b'],
  { p: 'a/b' }
]

/** A valid body for each kind, to break one field at a time. */
const VALID: Record<(typeof KINDS)[number], Record<string, unknown>> = {
  send: { to: P, m: { hello: 1 } },
  mon: { ref: 'r:1', pid: P },
  demon: { ref: 'r:1', pid: P },
  down: { ref: 'r:1', pid: P, reason: 'normal' },
  link: { pid: P, other: Q },
  unlink: { pid: P, other: Q },
  exit: { to: P, from: Q, reason: 'kill' },
  adopt: { pid: P, d: new Uint8Array([0xa0]) }
}
const PID_FIELDS: Record<(typeof KINDS)[number], string[]> = {
  send: ['to'],
  mon: ['pid'],
  demon: ['pid'],
  down: ['pid'],
  link: ['pid', 'other'],
  unlink: ['pid', 'other'],
  exit: ['to', 'from'],
  adopt: ['pid']
}

describe('parseCast', () => {
  it('accepts a valid body of every kind', () => {
    for (const k of KINDS) expect(parseCast(k, VALID[k])).toEqual({ k, ...VALID[k] })
  })

  it('defaults a missing send message to null and ignores unknown fields', () => {
    expect(parseCast('send', { to: P })).toEqual({ k: 'send', to: P, m: null })
    expect(parseCast('mon', { ref: 'r', pid: P, extra: 1 })).toEqual({ k: 'mon', ref: 'r', pid: P })
  })

  it('refuses a body that is not a map, for every kind', () => {
    for (const k of KINDS)
      for (const b of [null, undefined, 1, 'x', [VALID[k]]])
        expect(parseCast(k, b), `${k} ${JSON.stringify(b)}`).toBe(`${k}: body must be a map`)
    // A byte string passes the map check but has none of the fields.
    for (const k of KINDS) expect(parseCast(k, new Uint8Array(2))).toMatch(new RegExp(`^${k}: bad`))
  })

  it('refuses every bad pid in every pid field', () => {
    for (const k of KINDS)
      for (const field of PID_FIELDS[k])
        for (const bad of [...BAD_PIDS, undefined]) {
          const r = parseCast(k, { ...VALID[k], [field]: bad })
          expect(typeof r, `${k}.${field} = ${JSON.stringify(bad)}`).toBe('string')
        }
  })

  it('refuses bad, empty and oversized refs and reasons', () => {
    for (const k of ['mon', 'demon', 'down'] as const)
      for (const ref of ['', 'r'.repeat(161), 5, null, undefined])
        expect(parseCast(k, { ...VALID[k], ref }), `${k} ref`).toMatch(/^(mon|demon|down): bad/)
    expect(parseCast('mon', { ...VALID.mon, ref: 'r'.repeat(160) })).toMatchObject({ k: 'mon' })
    for (const k of ['down', 'exit'] as const) {
      for (const reason of ['', 'x'.repeat(1_025), 3, null, undefined, { e: 1 }])
        expect(parseCast(k, { ...VALID[k], reason }), `${k} reason`).toBe(`${k}: bad fields`)
      expect(parseCast(k, { ...VALID[k], reason: 'x'.repeat(1_024) })).toMatchObject({ k })
    }
  })

  it('refuses an adopt whose snapshot is not bytes, or empty', () => {
    for (const d of [undefined, null, '', 'a0', [0xa0], { 0: 0xa0 }, new Uint8Array(0)])
      expect(parseCast('adopt', { pid: P, d }), JSON.stringify(d)).toBe('adopt: bad pid or snapshot')
  })

  it('refuses an unknown kind, quoting it shortly', () => {
    for (const k of ['', 'SEND', 'spawn', 'constructor', '__proto__', 'toString', 'k'.repeat(100)]) {
      const r = parseCast(k, VALID.send)
      expect(r).toMatch(/^unknown cast kind /)
      expect((r as string).length).toBeLessThan(70)
    }
  })

  it('never throws, whatever the kind and body', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom(...KINDS), fc.string()),
        fc.anything({ withNullPrototype: true, withTypedArray: true, withMap: true, withSet: true }),
        (k, b) => {
          const r = parseCast(k, b)
          expect(typeof r === 'string' || (typeof r === 'object' && r.k === k)).toBe(true)
        }
      ),
      { numRuns: 2_000 }
    )
  })
})

describe('system task arguments', () => {
  it('parseSpawn: actor, args, trap and local id', () => {
    expect(parseSpawn({ actor: 'counter', args: 3 })).toEqual({ actor: 'counter', args: 3 })
    expect(parseSpawn({ actor: 'counter' })).toEqual({ actor: 'counter', args: null })
    expect(parseSpawn({ actor: 'c', trap: true, local: 'v.1' })).toEqual({
      actor: 'c',
      args: null,
      trap: true,
      local: 'v.1'
    })
    for (const v of [null, 1, 'counter', undefined]) expect(parseSpawn(v)).toBe('spawn: args must be a map')
    for (const actor of ['', 'a'.repeat(257), 1, null, undefined])
      expect(parseSpawn({ actor })).toBe('spawn: bad actor')
    expect(parseSpawn({ actor: 'a'.repeat(256) })).toMatchObject({ actor: 'a'.repeat(256) })
    for (const trap of ['yes', 1, null]) expect(parseSpawn({ actor: 'c', trap })).toBe('spawn: bad trap')
    for (const local of ['a/b', 'l'.repeat(129), 1, null])
      expect(parseSpawn({ actor: 'c', local })).toBe('spawn: bad local id')
  })

  it('parseCallArgs: a pid and a message', () => {
    expect(parseCallArgs({ to: P, m: 1 })).toEqual({ to: P, m: 1 })
    expect(parseCallArgs({ to: P })).toEqual({ to: P, m: null })
    for (const to of BAD_PIDS) expect(parseCallArgs({ to, m: 1 })).toBe('call: bad pid')
    for (const v of [null, undefined, 'host/a', 3]) expect(parseCallArgs(v)).toBe('call: bad pid')
  })

  it('parseVirtual: actor, id and message', () => {
    expect(parseVirtual({ actor: 'room', id: 'lobby', m: 'hi' })).toEqual({
      actor: 'room',
      id: 'lobby',
      m: 'hi'
    })
    expect(parseVirtual({ actor: 'room', id: 'x', c: 'chat' })).toEqual({ actor: 'room', id: 'x', m: null })
    for (const v of [null, 1, 'room']) expect(parseVirtual(v)).toBe('virtual: args must be a map')
    for (const actor of ['', 'a'.repeat(257), 2])
      expect(parseVirtual({ actor, id: 'x' })).toBe('virtual: bad actor')
    for (const id of ['', 'i'.repeat(257), 2, null, undefined])
      expect(parseVirtual({ actor: 'room', id })).toBe('virtual: bad id')
  })

  it('never throw, whatever the arguments', () => {
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true, withTypedArray: true, withMap: true }), (v) => {
        for (const f of [parseSpawn, parseCallArgs, parseVirtual, directoryProblem, nameProblem]) {
          const r: unknown = f(v)
          expect(r === undefined || typeof r === 'string' || typeof r === 'object').toBe(true)
        }
      }),
      { numRuns: 2_000 }
    )
  })
})

function child(over: Partial<Record<keyof ChildEntry, unknown>> = {}): Record<string, unknown> {
  return {
    id: 'worker',
    pid: 'host/s.1',
    actor: 'counter',
    args: null,
    needs: { gpu: 2 },
    restart: 'permanent',
    maxRestarts: 3,
    withinMs: 5_000,
    epoch: 0,
    ...over
  }
}

describe('directoryProblem (the record dir field)', () => {
  const names = (n: number): Record<string, unknown> =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [`n${i}`, { pid: P, at: i }]))

  it('accepts names and children within the limits', () => {
    expect(directoryProblem({ names: {}, children: [] })).toBeUndefined()
    const full = {
      names: names(MAX_NAMES_PER_PEER),
      children: Array.from({ length: MAX_CHILDREN_PER_PEER }, (_, i) => child({ id: `c${i}` }))
    }
    expect(directoryProblem(full)).toBeUndefined()
  })

  it('refuses a dir that is not a map, unknown fields and missing parts', () => {
    for (const d of [null, 1, [], 'dir']) expect(directoryProblem(d)).toBe('dir must be a map')
    expect(directoryProblem({ names: {}, children: [], x: 1 })).toBe('unknown dir field x')
    expect(directoryProblem({ children: [] })).toBe('dir.names must be a map')
    expect(directoryProblem({ names: [], children: [] })).toBe('dir.names must be a map')
    expect(directoryProblem({ names: {} })).toMatch(/^dir.children must be a list/)
  })

  it('takes guests (actors that came by handoff) within the limit, and refuses bad ones', () => {
    expect(directoryProblem({ names: {}, children: [], guests: [P] })).toBeUndefined()
    const many = Array.from({ length: MAX_GUESTS_PER_PEER + 1 }, () => P)
    expect(directoryProblem({ names: {}, children: [], guests: many })).toMatch(/^dir.guests must be a list/)
    expect(directoryProblem({ names: {}, children: [], guests: P })).toMatch(/^dir.guests must be a list/)
    expect(directoryProblem({ names: {}, children: [], guests: ['nopid'] })).toBe('bad guest pid')
  })

  it('refuses names with "/", empty or too long names, and too many names', () => {
    expect(directoryProblem({ names: { 'a/b': { pid: P, at: 1 } }, children: [] })).toMatch(/no "\/"/)
    expect(directoryProblem({ names: { '': { pid: P, at: 1 } }, children: [] })).toMatch(/1 to 128/)
    const long = 'n'.repeat(MAX_REGISTERED_NAME + 1)
    expect(directoryProblem({ names: { [long]: { pid: P, at: 1 } }, children: [] })).toMatch(/1 to 128/)
    expect(directoryProblem({ names: names(MAX_NAMES_PER_PEER + 1), children: [] })).toBe(
      `more than ${MAX_NAMES_PER_PEER} names`
    )
  })

  it('refuses bad claims', () => {
    for (const claim of [null, 1, { pid: 'nopid', at: 1 }, { at: 1 }])
      expect(directoryProblem({ names: { x: claim }, children: [] })).toBe('bad claim for x')
    for (const at of ['1', null, Infinity, NaN])
      expect(directoryProblem({ names: { x: { pid: P, at } }, children: [] })).toBe('bad claim time for x')
  })

  it('refuses too many children and every bad child field', () => {
    const many = Array.from({ length: MAX_CHILDREN_PER_PEER + 1 }, (_, i) => child({ id: `c${i}` }))
    expect(directoryProblem({ names: {}, children: many })).toMatch(/at most 32/)
    const cases: Array<[Partial<Record<keyof ChildEntry, unknown>>, RegExp]> = [
      [{ id: '' }, /bad child id/],
      [{ id: 'i'.repeat(129) }, /bad child id/],
      [{ id: 4 }, /bad child id/],
      [{ pid: 'nopid' }, /bad child pid/],
      [{ actor: '' }, /bad child actor/],
      [{ actor: 'a'.repeat(257) }, /bad child actor/],
      [{ restart: 'sometimes' }, /bad child restart/],
      [{ restart: undefined }, /bad child restart/],
      [{ maxRestarts: -1 }, /bad child maxRestarts/],
      [{ withinMs: 1.5 }, /bad child withinMs/],
      [{ epoch: '0' }, /bad child epoch/],
      [{ epoch: 2 ** 60 }, /bad child epoch/],
      [{ needs: null }, /bad child needs/],
      [{ needs: { gpu: { min: 'x' } } }, /bad child needs/]
    ]
    for (const [over, want] of cases)
      expect(directoryProblem({ names: {}, children: [child(over)] }), JSON.stringify(over)).toMatch(want)
    for (const c of [null, 'c', [child()]])
      expect(directoryProblem({ names: {}, children: [c] })).toBe('child must be a map')
  })

  it('is enforced by recordProblem', () => {
    const rec = {
      peer: 'p',
      seq: 1,
      name: 'n',
      role: 'device',
      state: 'up',
      startedAt: 1,
      addrs: [],
      caps: {}
    }
    expect(recordProblem(rec)).toBeUndefined()
    expect(recordProblem({ ...rec, dir: { names: {}, children: [child()] } })).toBeUndefined()
    expect(recordProblem({ ...rec, dir: { names: { 'a/b': { pid: P, at: 1 } }, children: [] } })).toMatch(
      /no "\/"/
    )
    expect(recordProblem({ ...rec, dir: [] })).toBe('dir must be a map')
  })
})

describe('parseRpcFrame: chunk, prog and cast', () => {
  it('accepts chunk, prog and cast frames', () => {
    expect(parseRpcFrame({ t: 'chunk', id: 4, v: { i: 1 } })).toEqual({ t: 'chunk', id: 4, v: { i: 1 } })
    expect(parseRpcFrame({ t: 'chunk', id: 4 })).toEqual({ t: 'chunk', id: 4, v: undefined })
    for (const p of [0, 0.5, 1])
      expect(parseRpcFrame({ t: 'prog', id: 4, p })).toEqual({ t: 'prog', id: 4, p })
    expect(parseRpcFrame({ t: 'cast', id: 0, k: 'send', b: { to: P } })).toEqual({
      t: 'cast',
      id: 0,
      k: 'send',
      b: { to: P }
    })
    // The frame layer takes any short kind; the actor layer judges it.
    expect(parseRpcFrame({ t: 'cast', id: 0, k: 'nonsense', b: 1 })).toMatchObject({ k: 'nonsense' })
  })

  it('refuses progress out of range or not a number', () => {
    for (const p of [-0.01, 1.01, -1, 2, NaN, Infinity, '0.5', null, undefined])
      expect(parseRpcFrame({ t: 'prog', id: 4, p })).toBe('progress must be a number from 0 to 1')
  })

  it('refuses a cast with a bad kind', () => {
    for (const k of ['', 'k'.repeat(MAX_CAST_KIND + 1), 1, null, undefined, ['send']])
      expect(parseRpcFrame({ t: 'cast', id: 0, k, b: {} })).toBe('bad cast kind')
    expect(parseRpcFrame({ t: 'cast', id: 0, k: 'k'.repeat(MAX_CAST_KIND), b: {} })).toMatchObject({
      t: 'cast'
    })
  })

  it('refuses bad ids, non-maps and unknown types on every frame', () => {
    for (const t of ['chunk', 'prog', 'cast', 'req', 'res', 'cancel', 'ping', 'pong', 'bye'])
      for (const id of [-1, 1.5, '1', null, undefined, 2 ** 53])
        expect(parseRpcFrame({ t, id, p: 0, k: 'send', b: {} })).toBe(
          'frame id must be a non-negative integer'
        )
    for (const v of [null, 1, 'req', [1, 2]]) expect(parseRpcFrame(v)).toBe('frame must be a map')
    expect(typeof parseRpcFrame(new Uint8Array(1))).toBe('string')
    expect(parseRpcFrame({ t: 'launch', id: 1 })).toBe('unknown frame type "launch"')
    expect(parseRpcFrame({ id: 1 })).toBe('unknown frame type undefined')
    expect((parseRpcFrame({ t: 'x'.repeat(10_000), id: 1 }) as string).length).toBeLessThan(70)
  })

  it('refuses bad results, goodbyes and requests', () => {
    expect(parseRpcFrame({ t: 'res', id: 1, ok: 'yes' })).toBe('bad result')
    expect(parseRpcFrame({ t: 'res', id: 1, ok: false, e: { code: 'NOPE', message: '', name: '' } })).toBe(
      'bad result'
    )
    expect(parseRpcFrame({ t: 'bye', id: 0, rec: 'x' })).toBe('bad goodbye record')
    expect(parseRpcFrame({ t: 'bye', id: 0, rec: new Uint8Array(16_385) })).toBe('bad goodbye record')
    const req = { t: 'req', id: 1, name: 'echo', args: null, attempt: 1, key: 'k' }
    expect(parseRpcFrame(req)).toEqual(req)
    expect(parseRpcFrame({ ...req, name: '' })).toBe('bad task name')
    expect(parseRpcFrame({ ...req, name: 'n'.repeat(257) })).toBe('bad task name')
    expect(parseRpcFrame({ ...req, attempt: -1 })).toBe('bad attempt')
    expect(parseRpcFrame({ ...req, key: 'k'.repeat(129) })).toBe('bad idempotency key')
  })

  it('never throws on anything a CBOR decoder can produce', () => {
    const t = fc.constantFrom('req', 'res', 'cancel', 'ping', 'pong', 'bye', 'chunk', 'prog', 'cast')
    const frameish = fc.record(
      {
        t: fc.oneof(t, fc.anything()),
        id: fc.oneof(fc.nat(), fc.anything()),
        k: fc.anything(),
        p: fc.anything()
      },
      { requiredKeys: [] }
    )
    fc.assert(
      fc.property(fc.oneof(fc.anything({ withTypedArray: true }), frameish), (v) => {
        const r = parseRpcFrame(v)
        expect(typeof r === 'string' || typeof r === 'object').toBe(true)
      }),
      { numRuns: 3_000 }
    )
  })
})
