import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { naturalCompare } from '../../src/sources/files.ts'

/** sysfs-like names: letters, digits (leading zeros too), `:`, `_`, `-`. */
const name = fc.string({
  unit: fc.constantFrom('a', 'b', 'B', '0', '1', '2', '9', ':', '_', '-'),
  maxLength: 12
})

describe('naturalCompare', () => {
  it('sorts runs of digits by value, as a person would', () => {
    const names = [
      'video10',
      'video2',
      'video1',
      'iio:device1',
      'iio:device0',
      'thermal_zone10',
      'thermal_zone9'
    ]
    expect(names.sort(naturalCompare)).toEqual([
      'iio:device0',
      'iio:device1',
      'thermal_zone9',
      'thermal_zone10',
      'video1',
      'video2',
      'video10'
    ])
  })

  it('compares digit runs beyond Number precision and tells leading zeros apart', () => {
    expect(naturalCompare('hwmon9007199254740993', 'hwmon9007199254740992')).toBeGreaterThan(0)
    expect(naturalCompare('tty01', 'tty1')).not.toBe(0)
    expect(naturalCompare('tty01', 'tty2')).toBeLessThan(0)
    expect(naturalCompare('video', 'video0')).toBeLessThan(0)
  })

  it('is a total order: antisymmetric, zero only for equal strings, transitive', () => {
    fc.assert(
      fc.property(name, name, name, (a, b, c) => {
        expect(Math.sign(naturalCompare(a, b)) + Math.sign(naturalCompare(b, a))).toBe(0)
        expect(naturalCompare(a, b) === 0).toBe(a === b)
        const [x, y, z] = [a, b, c].sort(naturalCompare) as [string, string, string]
        expect(naturalCompare(x, z)).toBeLessThanOrEqual(0)
        expect(naturalCompare(x, y)).toBeLessThanOrEqual(0)
        expect(naturalCompare(y, z)).toBeLessThanOrEqual(0)
      }),
      { numRuns: 2000 }
    )
  })
})
