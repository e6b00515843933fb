import { describe, expect, it } from 'vitest'
import { clampRateHz, parseCaptureArgs, parseReadArgs, parseStreamArgs } from '../src/sensors/args'
import {
  defaultCaptureWidth,
  defaultJpegQuality,
  defaultMaxSamples,
  defaultRateHz,
  defaultStreamDurationMs,
  maxRateHz,
  minRateHz
} from '../src/sensors/constants'
import { nameOf } from './error-name'

describe('parseCaptureArgs', () => {
  it('fills in defaults for no arguments', () => {
    expect(parseCaptureArgs(undefined)).toEqual({ width: defaultCaptureWidth, quality: defaultJpegQuality })
    expect(parseCaptureArgs(null)).toEqual({ width: defaultCaptureWidth, quality: defaultJpegQuality })
    expect(parseCaptureArgs({})).toEqual({ width: defaultCaptureWidth, quality: defaultJpegQuality })
  })

  it('keeps a width and quality in range', () => {
    expect(parseCaptureArgs({ width: 320, quality: 0.5 })).toEqual({ width: 320, quality: 0.5 })
  })

  it.each([
    ['a string', 'big'],
    ['an array', [320]],
    ['bytes', new Uint8Array(2)],
    ['a fractional width', { width: 320.5 }],
    ['a tiny width', { width: 1 }],
    ['a huge width', { width: 100_000 }],
    ['a quality above 1', { quality: 2 }],
    ['a NaN quality', { quality: Number.NaN }],
    ['a string width', { width: '320' }],
    ['an unknown key', { width: 320, flash: true }]
  ])('refuses %s', (_what, args) => {
    expect(nameOf(() => parseCaptureArgs(args))).toBe('InvalidSensorArgsError')
  })
})

describe('parseReadArgs', () => {
  it.each(['motion', 'motion.rotation', 'network.rtt', 'wakeLock'])('takes sensor %j', (sensor) => {
    expect(parseReadArgs({ sensor })).toEqual({ sensor })
  })

  it.each([
    undefined,
    {},
    { sensor: '' },
    { sensor: 'Motion' },
    { sensor: 'a..b' },
    { sensor: 3 },
    { sensor: 'x'.repeat(65) }
  ])('refuses %j', (args) => {
    expect(nameOf(() => parseReadArgs(args))).toBe('InvalidSensorArgsError')
  })
})

describe('parseStreamArgs', () => {
  it('fills in defaults', () => {
    expect(parseStreamArgs({ sensor: 'motion' })).toEqual({
      sensor: 'motion',
      rateHz: defaultRateHz,
      durationMs: defaultStreamDurationMs,
      maxSamples: defaultMaxSamples
    })
  })

  it('clamps the rate instead of refusing it', () => {
    expect(parseStreamArgs({ sensor: 'motion', rateHz: 1_000 }).rateHz).toBe(maxRateHz)
    expect(parseStreamArgs({ sensor: 'motion', rateHz: 0.001 }).rateHz).toBe(minRateHz)
    expect(parseStreamArgs({ sensor: 'motion', rateHz: 25 }).rateHz).toBe(25)
    expect(clampRateHz(Number.MAX_VALUE)).toBe(maxRateHz)
  })

  it.each([
    ['no sensor', { rateHz: 10 }],
    ['a zero rate', { sensor: 'motion', rateHz: 0 }],
    ['a negative rate', { sensor: 'motion', rateHz: -5 }],
    ['an infinite rate', { sensor: 'motion', rateHz: Number.POSITIVE_INFINITY }],
    ['a zero duration', { sensor: 'motion', durationMs: 0 }],
    ['an endless duration', { sensor: 'motion', durationMs: 10 ** 9 }],
    ['fractional samples', { sensor: 'motion', maxSamples: 1.5 }],
    ['too many samples', { sensor: 'motion', maxSamples: 10 ** 7 }],
    ['an unknown key', { sensor: 'motion', every: 5 }]
  ])('refuses %s', (_what, args) => {
    expect(nameOf(() => parseStreamArgs(args))).toBe('InvalidSensorArgsError')
  })
})
