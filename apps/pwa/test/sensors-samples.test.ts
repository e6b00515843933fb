import { describe, expect, it } from 'vitest'
import { addSample, emptyPlot, formatValue, plotWindow } from '../src/sensors/plot'
import {
  degToRad,
  isJpeg,
  parseCapture,
  parseSample,
  quaternionToEuler,
  sample,
  xyz
} from '../src/sensors/samples'
import { levelOf } from '../src/sensors/sources/level'
import { nameOf } from './error-name'

describe('sample shaping', () => {
  it('is the bridge shape, rounded, with the unit only when there is one', () => {
    expect(sample('motion', [1.234567, -2, 9.80665], 'm/s²', 5)).toEqual({
      sensor: 'motion',
      value: [1.2346, -2, 9.8067],
      unit: 'm/s²',
      at: 5
    })
    expect(sample('network', '4g', undefined, 1)).toEqual({ sensor: 'network', value: '4g', at: 1 })
    expect(Object.keys(sample('battery.charging', true, undefined, 1))).not.toContain('unit')
  })

  it('takes three finite axes or none', () => {
    expect(xyz(1, 2, 3)).toEqual([1, 2, 3])
    expect(xyz(1, null, 3)).toBeUndefined()
    expect(xyz(1, Number.NaN, 3)).toBeUndefined()
  })

  it('converts deg/s to rad/s', () => {
    expect(degToRad(180)).toBeCloseTo(Math.PI)
  })
})

describe('quaternionToEuler', () => {
  const close = (got: number[], want: number[]): void =>
    want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, 6))
  const about = (axis: [number, number, number], deg: number): number[] => {
    const h = (deg * Math.PI) / 360
    return [axis[0] * Math.sin(h), axis[1] * Math.sin(h), axis[2] * Math.sin(h), Math.cos(h)]
  }

  it('is all zero for no rotation', () => close(quaternionToEuler([0, 0, 0, 1]), [0, 0, 0]))
  it('turns about z into alpha', () => close(quaternionToEuler(about([0, 0, 1], 90)), [90, 0, 0]))
  it('turns about x into beta', () => close(quaternionToEuler(about([1, 0, 0], 30)), [0, 30, 0]))
  it('turns about y into gamma', () => close(quaternionToEuler(about([0, 1, 0], -45)), [0, 0, -45]))
  it('keeps gamma in [-90, 90) by moving beta past 90', () => {
    const [alpha, beta, gamma] = quaternionToEuler(about([1, 0, 0], 120))
    expect(gamma).toBeGreaterThanOrEqual(-90)
    expect(gamma).toBeLessThan(90)
    close([alpha, beta, gamma], [0, 120, 0])
  })
})

describe('parseSample', () => {
  it('takes a well-formed sample', () => {
    expect(parseSample({ sensor: 'motion', value: [1, 2, 3], unit: 'm/s²', at: 9 })).toEqual({
      sensor: 'motion',
      value: [1, 2, 3],
      unit: 'm/s²',
      at: 9
    })
  })

  it.each([
    null,
    'motion',
    { value: 1, at: 1 },
    { sensor: 'motion', value: { x: 1 }, at: 1 },
    { sensor: 'motion', value: [1, 'a'], at: 1 },
    { sensor: 'motion', value: new Array(17).fill(0), at: 1 },
    { sensor: 'motion', value: 1, at: 'now' },
    { sensor: 'motion', value: 1, at: 1, unit: 3 }
  ])('refuses %j', (chunk) => {
    expect(nameOf(() => parseSample(chunk))).toBe('BadSensorReplyError')
  })
})

describe('parseCapture', () => {
  const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0])

  it('takes a JPEG within the limit', () => {
    expect(isJpeg(jpeg)).toBe(true)
    expect(parseCapture({ mime: 'image/jpeg', width: 4, height: 3, data: jpeg }, 100)).toMatchObject({
      width: 4,
      height: 3
    })
  })

  it.each([
    ['a PNG', { mime: 'image/png', width: 4, height: 3, data: jpeg }],
    [
      'bytes that are no JPEG',
      { mime: 'image/jpeg', width: 4, height: 3, data: new Uint8Array([0x89, 0x50]) }
    ],
    ['a zero width', { mime: 'image/jpeg', width: 0, height: 3, data: jpeg }],
    ['too many bytes', { mime: 'image/jpeg', width: 4, height: 3, data: new Uint8Array(101).fill(0xff) }],
    ['no data', { mime: 'image/jpeg', width: 4, height: 3 }]
  ])('refuses %s', (_what, reply) => {
    expect(nameOf(() => parseCapture(reply, 100))).toBe('BadSensorReplyError')
  })
})

describe('the live plot', () => {
  it('keeps one line per axis, counts samples and measures the rate by their times', () => {
    let plot = emptyPlot
    for (let i = 0; i <= 20; i += 1)
      plot = addSample(plot, { sensor: 'motion', value: [i, -i, 9.8], at: 1_000 + i * 50 })
    expect(plot.count).toBe(21)
    expect(plot.axes).toHaveLength(3)
    expect(plot.axes[0]?.at(-1)).toBe(20)
    expect(plot.rateHz).toBeCloseTo(20)
    expect(plot.last?.value).toEqual([20, -20, 9.8])
  })

  it('keeps at most a window of points', () => {
    let plot = emptyPlot
    for (let i = 0; i < plotWindow + 30; i += 1)
      plot = addSample(plot, { sensor: 'microphone', value: i / 1000, at: i })
    expect(plot.axes[0]).toHaveLength(plotWindow)
    expect(plot.count).toBe(plotWindow + 30)
  })

  it('formats values for the label', () => {
    expect(formatValue([1.5, -2.5, 9.5])).toBe('1.50, -2.50, 9.50')
    expect(formatValue('4g')).toBe('4g')
  })
})

describe('levelOf', () => {
  it('is 0 for silence and 1 for a full-scale square wave', () => {
    expect(levelOf(new Float32Array(128))).toBe(0)
    expect(levelOf(Float32Array.from({ length: 128 }, (_, i) => (i % 2 === 0 ? 1 : -1)))).toBe(1)
  })

  it('maps -30 dBFS half way up', () => {
    const amplitude = 10 ** (-30 / 20)
    expect(levelOf(new Float32Array(64).fill(amplitude))).toBeCloseTo(0.5, 5)
  })

  it('clamps below the floor to 0', () => {
    expect(levelOf(new Float32Array(64).fill(1e-6))).toBe(0)
  })
})
