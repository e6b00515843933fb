import { z } from 'zod'
import {
  PROTOCOL_VERSION,
  excerptChars,
  maxArrayLength,
  maxCapabilities,
  maxLogLength,
  maxNameLength,
  maxSensors,
  maxStringLength,
  maxTasks
} from './constants.ts'

/*
 * The driver wire protocol, version 1 (docs/DRIVERS.md): one JSON object per line.
 * Every line a driver writes goes through `parseDriverLine`; nothing else reads them.
 * Fields a message does not define are ignored, so later versions can add optional ones.
 */

/** Ids of sensors and tasks, capability names, sensor kinds. Starting with a letter or digit keeps `__proto__` out. */
const namePattern = new RegExp(`^[A-Za-z0-9][A-Za-z0-9_.:-]{0,${maxNameLength - 1}}$`)
const name = z
  .string()
  .regex(namePattern, 'must be 1-64 of A-Z a-z 0-9 _ . : - and start with a letter or digit')
const text = z.string().max(maxStringLength)
const requestId = z.int().min(1).max(Number.MAX_SAFE_INTEGER)

const capabilityValue = z.union([z.number(), z.boolean(), text, z.array(text).max(maxArrayLength)])
const capabilities = z
  .record(name, capabilityValue)
  .refine((c) => Object.keys(c).length <= maxCapabilities, `at most ${maxCapabilities} capabilities`)

/** What a sensor reading may hold, as `Reading.value` allows. */
export const readingValueSchema = z.union([
  z.number(),
  z.boolean(),
  text,
  z.array(z.number()).max(maxArrayLength)
])

const sensor = z.object({
  id: name,
  kind: name,
  unit: z.string().max(32).exactOptional(),
  /** Reads are answered from the latest `sample`, without asking the driver. */
  push: z.boolean().exactOptional()
})

const hello = z.object({
  type: z.literal('hello'),
  protocol: z.int(),
  name: z.string().max(maxNameLength).exactOptional(),
  capabilities: capabilities.exactOptional(),
  sensors: z.array(sensor).max(maxSensors).exactOptional(),
  tasks: z.array(name).max(maxTasks).exactOptional()
})

const result = z.object({
  type: z.literal('result'),
  id: requestId,
  /** Absent means `null` for a call; a read requires a value. */
  value: z.unknown().optional(),
  unit: z.string().max(32).exactOptional(),
  /** Epoch milliseconds when the value was measured; defaults to when the line arrived. */
  at: z.number().exactOptional()
})

const error = z.object({
  type: z.literal('error'),
  id: requestId,
  message: z.string().max(maxLogLength),
  code: name.exactOptional()
})

const sample = z.object({
  type: z.literal('sample'),
  sensor: name,
  value: readingValueSchema,
  unit: z.string().max(32).exactOptional(),
  at: z.number().exactOptional()
})

const capabilitiesUpdate = z.object({ type: z.literal('capabilities'), capabilities })

const log = z.object({
  type: z.literal('log'),
  level: z.enum(['debug', 'info', 'warn', 'error']),
  msg: z.string().max(maxLogLength)
})

const messageSchemas = {
  hello,
  result,
  error,
  sample,
  capabilities: capabilitiesUpdate,
  log
} as const

export type DriverHello = z.infer<typeof hello>
export type DriverSensor = z.infer<typeof sensor>
export type DriverResult = z.infer<typeof result>
export type DriverErrorReply = z.infer<typeof error>
export type DriverSample = z.infer<typeof sample>
export type DriverCapabilitiesUpdate = z.infer<typeof capabilitiesUpdate>
export type DriverLog = z.infer<typeof log>

/** A line a driver sent, once checked: a discriminated union on `type`. */
export type DriverMessage =
  DriverHello | DriverResult | DriverErrorReply | DriverSample | DriverCapabilitiesUpdate | DriverLog

/** A line the bridge sends to a driver. */
export type BridgeMessage =
  | { type: 'read'; id: number; sensor: string }
  | { type: 'call'; id: number; task: string; args?: unknown }
  | { type: 'cancel'; id: number }

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string }

class ProtoKeyError extends Error {}

/** JSON.parse reviver: a `__proto__` key has no business in a driver message. */
function rejectProtoKeys(key: string, value: unknown): unknown {
  if (key === '__proto__') throw new ProtoKeyError('has a "__proto__" key')
  return value
}

function isMessageType(type: unknown): type is keyof typeof messageSchemas {
  return typeof type === 'string' && Object.hasOwn(messageSchemas, type)
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0]
  if (issue === undefined) return 'invalid message'
  const path = issue.path.map(String).join('.')
  return path === '' ? issue.message : `${path}: ${issue.message}`
}

/** Check one decoded line from a driver. Never throws. */
export function parseDriverLine(line: string): ParseResult<DriverMessage> {
  let json: unknown
  try {
    json = JSON.parse(line, rejectProtoKeys)
  } catch (error) {
    return { ok: false, error: error instanceof ProtoKeyError ? error.message : 'not JSON' }
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, error: 'not a JSON object' }
  }
  const type: unknown = (json as Record<string, unknown>).type
  if (!isMessageType(type)) {
    return {
      ok: false,
      error: typeof type === 'string' ? `unknown type ${JSON.stringify(type)}` : 'missing "type"'
    }
  }
  const parsed = messageSchemas[type].safeParse(json)
  if (!parsed.success) return { ok: false, error: `bad "${type}": ${describeIssue(parsed.error)}` }
  return { ok: true, value: parsed.data }
}

/** Check a value a driver reported for a sensor. */
export function parseReadingValue(value: unknown): ParseResult<z.infer<typeof readingValueSchema>> {
  const parsed = readingValueSchema.safeParse(value)
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, error: describeIssue(parsed.error) }
}

/** Encode a bridge message as one line; `undefined` when it cannot be (a cycle, a BigInt) or is too long. */
export function encodeBridgeMessage(message: BridgeMessage, maxBytes: number): string | undefined {
  let line: string
  try {
    line = JSON.stringify(message)
  } catch {
    return undefined
  }
  return Buffer.byteLength(line) <= maxBytes ? `${line}\n` : undefined
}

/** A short, printable quote of a rejected line for the log. */
export function excerpt(line: string | Uint8Array): string {
  const textLine = typeof line === 'string' ? line : new TextDecoder('utf-8', { fatal: false }).decode(line)
  const cut = textLine.length > excerptChars ? `${textLine.slice(0, excerptChars)}…` : textLine
  // JSON quoting shows control characters and binary as escapes.
  return JSON.stringify(cut)
}

/** Why a well-formed hello still cannot be accepted, if it cannot. */
export function helloProblem(hello: DriverHello): string | undefined {
  if (hello.protocol !== PROTOCOL_VERSION) {
    return `speaks protocol ${hello.protocol}; this bridge speaks ${PROTOCOL_VERSION}`
  }
  for (const names of [(hello.sensors ?? []).map((s) => s.id), hello.tasks ?? []]) {
    const seen = new Set<string>()
    for (const name of names) {
      if (seen.has(name)) return `hello lists "${name}" twice`
      seen.add(name)
    }
  }
  return undefined
}
