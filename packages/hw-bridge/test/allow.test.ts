import { describe, expect, it } from 'vitest'
import { AllowList, ForbiddenError } from '../src/index.ts'

describe('AllowList', () => {
  it('lets everyone call everything when the config has no allow-list', () => {
    expect(new AllowList(undefined).allows('camera.capture', 'anyone')).toBe(true)
  })

  it('decides by the most specific matching key, and refuses tasks no key matches', () => {
    const a = new AllowList({
      '*': ['admin'],
      'sensor.*': '*',
      'sensor.stream': ['viewer'],
      'camera.capture': ['viewer', 'admin']
    })
    expect(a.allows('sensor.read', 'stranger')).toBe(true)
    expect(a.allows('sensor.stream', 'stranger')).toBe(false)
    expect(a.allows('sensor.stream', 'viewer')).toBe(true)
    // "sensor.stream" is more specific than "*": the admin is not listed there.
    expect(a.allows('sensor.stream', 'admin')).toBe(false)
    expect(a.allows('system.info', 'admin')).toBe(true)
    expect(a.allows('system.info', 'viewer')).toBe(false)
    expect(new AllowList({ 'sensor.read': '*' }).allows('system.info', 'x')).toBe(false)
  })

  it('treats glob characters other than * literally', () => {
    const a = new AllowList({ 'a.b': '*' })
    expect(a.allows('a.b', 'x')).toBe(true)
    expect(a.allows('aXb', 'x')).toBe(false)
  })

  it('throws a ForbiddenError that names the peer and the task', () => {
    const a = new AllowList({ 'sensor.*': ['p1'] })
    expect(() => a.check('sensor.read', 'p2')).toThrow(ForbiddenError)
    expect(() => a.check('sensor.read', 'p2')).toThrow(/peer p2 may not call sensor.read/)
    expect(() => a.check('sensor.read', 'p1')).not.toThrow()
  })
})
