import { z } from 'zod'
import * as defaults from './constants.ts'
import type { ParseResult } from './protocol.ts'
import type { DriverInit } from './types.ts'

const positiveMs = z.int().min(1).max(86_400_000)

/** The shape of one `drivers: [...]` entry in the bridge config. */
export const driverInitSchema = z.strictObject({
  name: z
    .string()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/,
      'must be 1-32 of A-Z a-z 0-9 _ - and start with a letter or digit'
    ),
  command: z.string().min(1),
  args: z.array(z.string()).exactOptional(),
  env: z.record(z.string(), z.string()).exactOptional(),
  cwd: z.string().min(1).exactOptional(),
  timeoutMs: positiveMs.exactOptional(),
  helloTimeoutMs: positiveMs.exactOptional(),
  restart: z
    .strictObject({
      initialMs: positiveMs.exactOptional(),
      maxMs: positiveMs.exactOptional(),
      factor: z.number().min(1).max(100).exactOptional(),
      stableMs: positiveMs.exactOptional()
    })
    .exactOptional(),
  killGraceMs: positiveMs.exactOptional(),
  maxLineBytes: z.int().min(1_024).max(16_777_216).exactOptional(),
  garbage: z
    .strictObject({ max: z.int().min(0).exactOptional(), windowMs: positiveMs.exactOptional() })
    .exactOptional(),
  maxPending: z.int().min(1).exactOptional()
})

/** Check one `drivers: [...]` entry from a config file. Never throws. */
export function parseDriverInit(value: unknown): ParseResult<DriverInit> {
  const parsed = driverInitSchema.safeParse(value)
  if (parsed.success) return { ok: true, value: parsed.data }
  return { ok: false, error: z.prettifyError(parsed.error) }
}

/** Every setting of a driver, defaults filled in. */
export interface DriverSettings {
  name: string
  command: string
  args: string[]
  env: Record<string, string> | undefined
  cwd: string | undefined
  timeoutMs: number
  helloTimeoutMs: number
  restart: Required<NonNullable<DriverInit['restart']>>
  killGraceMs: number
  maxLineBytes: number
  garbage: Required<NonNullable<DriverInit['garbage']>>
  maxPending: number
}

export function driverSettings(init: DriverInit): DriverSettings {
  return {
    name: init.name,
    command: init.command,
    args: init.args ?? [],
    env: init.env,
    cwd: init.cwd,
    timeoutMs: init.timeoutMs ?? defaults.callTimeoutMs,
    helloTimeoutMs: init.helloTimeoutMs ?? defaults.helloTimeoutMs,
    restart: {
      initialMs: init.restart?.initialMs ?? defaults.restartInitialMs,
      maxMs: init.restart?.maxMs ?? defaults.restartMaxMs,
      factor: init.restart?.factor ?? defaults.restartFactor,
      stableMs: init.restart?.stableMs ?? defaults.restartStableMs
    },
    killGraceMs: init.killGraceMs ?? defaults.killGraceMs,
    maxLineBytes: init.maxLineBytes ?? defaults.maxLineBytes,
    garbage: {
      max: init.garbage?.max ?? defaults.garbageMax,
      windowMs: init.garbage?.windowMs ?? defaults.garbageWindowMs
    },
    maxPending: init.maxPending ?? defaults.maxPending
  }
}
