import { describe, expect, it } from 'vitest'
import { formatCapability, parseCapabilities } from '../src/config/capabilities'
import { nameStorageKey, readStartOptions } from '../src/config/start-options'
import type { NameStore } from '../src/config/start-options'

function memoryStore(initial: Record<string, string> = {}): NameStore & { data: Map<string, string> } {
  const data = new Map(Object.entries(initial))
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => {
      data.set(key, value)
    }
  }
}

describe('parseCapabilities', () => {
  it('accepts an object of numbers, booleans, strings and string lists', () => {
    expect(parseCapabilities('{"cpu":4,"camera":true,"os":"linux","codecs":["opus","aac"]}')).toEqual({
      ok: true,
      value: { cpu: 4, camera: true, os: 'linux', codecs: ['opus', 'aac'] }
    })
  })

  it.each([
    ['not JSON', '{cpu:4'],
    ['an array', '[1,2]'],
    ['null', 'null'],
    ['a number', '4'],
    ['a nested object', '{"gpu":{"count":2}}'],
    ['a list of numbers', '{"ports":[1,2]}'],
    ['null values', '{"x":null}'],
    ['an empty key', '{"":1}']
  ])('rejects %s', (_, text) => {
    expect(parseCapabilities(text).ok).toBe(false)
  })
})

describe('formatCapability', () => {
  it('joins lists with commas', () => {
    expect(formatCapability('codecs', ['opus', 'aac'])).toBe('codecs=opus,aac')
    expect(formatCapability('cpu', 4)).toBe('cpu=4')
    expect(formatCapability('camera', false)).toBe('camera=false')
  })
})

describe('readStartOptions', () => {
  it('takes the name from the query and remembers it', () => {
    const store = memoryStore()
    expect(readStartOptions('?name=kitchen', store)).toEqual({ name: 'kitchen', problems: [] })
    expect(store.data.get(nameStorageKey)).toBe('kitchen')
    expect(readStartOptions('', store).name).toBe('kitchen')
  })

  it('has no name when none was ever chosen, and survives broken storage', () => {
    expect(readStartOptions('', memoryStore()).name).toBeUndefined()
    const broken: NameStore = {
      getItem: () => {
        throw new Error('SecurityError')
      },
      setItem: () => {
        throw new Error('QuotaExceededError')
      }
    }
    expect(readStartOptions('?name=a', broken).name).toBe('a')
    expect(readStartOptions('', broken).name).toBeUndefined()
  })

  it('decodes ?caps', () => {
    const caps = encodeURIComponent('{"gpu":2,"music":true}')
    expect(readStartOptions(`?caps=${caps}`, undefined)).toEqual({
      capabilities: { gpu: 2, music: true },
      problems: []
    })
  })

  it('reports and ignores a bad ?caps', () => {
    const options = readStartOptions(`?name=x&caps=${encodeURIComponent('{oops')}`, undefined)
    expect(options.capabilities).toBeUndefined()
    expect(options.name).toBe('x')
    expect(options.problems).toHaveLength(1)
  })

  it('decodes ?evacuate', () => {
    const e = encodeURIComponent('{"hiddenForMs":5000,"batteryBelow":false,"onPageHide":true}')
    expect(readStartOptions(`?evacuate=${e}`, undefined)).toEqual({
      evacuate: { hiddenForMs: 5000, batteryBelow: false, onPageHide: true },
      problems: []
    })
  })

  it('reports and ignores a bad ?evacuate, naming what is wrong', () => {
    const bad = (json: string): string[] => {
      const o = readStartOptions(`?name=x&evacuate=${encodeURIComponent(json)}`, undefined)
      expect(o.evacuate).toBeUndefined()
      expect(o.name).toBe('x')
      return o.problems
    }
    expect(bad('{oops')).toEqual(['Ignored ?evacuate: evacuation options are not valid JSON.'])
    expect(bad('[1]')).toEqual(['Ignored ?evacuate: evacuation options are a JSON object.'])
    expect(bad('{"hiddenMs":5}')).toEqual(['Ignored ?evacuate: unknown evacuation option "hiddenMs".'])
    expect(bad('{"hiddenForMs":"5"}')).toEqual(['Ignored ?evacuate: hiddenForMs is a number or false.'])
    expect(bad('{"onPageHide":1}')).toEqual(['Ignored ?evacuate: onPageHide is a boolean.'])
    expect(bad('{"hiddenForMs":-1}')[0]).toMatch(
      /^Ignored \?evacuate: evacuate\.hiddenForMs is a number of milliseconds/
    )
    expect(bad('{"batteryBelow":2}')[0]).toMatch(/^Ignored \?evacuate: evacuate\.batteryBelow is a fraction/)
  })
})
