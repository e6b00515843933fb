import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { findNodeAtLocation, getLocation, parseTree, printParseErrorCode } from 'jsonc-parser'
import type { Node, ParseError } from 'jsonc-parser'
import { capabilitiesProblem } from 'mesh-core'
import type { Capabilities } from 'mesh-core'
import { z } from 'zod'
import { driverInitSchema } from './drivers/index.ts'
import type { DriverInit } from './drivers/index.ts'
import * as rates from './sources/constants.ts'
import { defaultSampleMs, sourceNames } from './sources/settings.ts'
import type { SourceName, SourcesConfig, StorageSourceConfig } from './sources/settings.ts'

export { defaultSampleMs, sourceNames }
export type { SourceConfig, SourceName, SourcesConfig, StorageSourceConfig } from './sources/settings.ts'

/*
 * The bridge's config file: JSON, with comments and trailing commas allowed. Every key is
 * optional; an empty file `{}` gives `defaultConfig`. Unknown keys are errors, so a typo
 * does not silently fall back to a default.
 */

/** The metrics and health endpoint. */
export interface HttpConfig {
  /** @default false: off unless the file has an `http` entry (`"http": true` takes the defaults) */
  enabled: boolean
  /** @default 9464 */
  port: number
  /** @default '127.0.0.1' */
  host: string
}

/** Who may call a task: peer ids, or `"*"` for any peer. */
export type AllowRule = '*' | string[]

/** A config file, checked, with defaults filled in and relative paths resolved against the file's folder. */
export interface BridgeConfig {
  /** The device's name in the mesh. @default the host name (chosen by the bridge) */
  name?: string
  /** Static capabilities, merged over the detected ones (`{ "room": "kitchen" }`). @default {} */
  capabilities: Capabilities
  /** Where `/proc`, `/sys` and `/dev` are read; a fake tree for tests and demos. @default '/' */
  root: string
  /** Where the bridge keeps its identity key. @default undefined: a new identity on every start */
  dataDir?: string
  /** Relay multiaddrs or `bootstrap.json` URLs. @default [] (LAN discovery only) */
  relays: string[]
  /** Listen multiaddrs. @default undefined: the bridge's own defaults */
  listen?: string[]
  /** Discover peers on the LAN with mDNS. @default true */
  mdns: boolean
  /** Metrics and health over HTTP. @default { enabled: false, port: 9464, host: '127.0.0.1' } */
  http: HttpConfig
  sources: SourcesConfig
  /** External driver processes (docs/DRIVERS.md); `name`s are unique. @default [] */
  drivers: DriverInit[]
  /**
   * Which peers may call which tasks: keys are task names or globs (`sensor.*`, `*`), where
   * `*` matches any run of characters; values list peer ids, or are `"*"` for any peer. The
   * bridge enforces it: the most specific key decides (fewest `*`, then longest), and a task no
   * key matches is refused. Without `allow`, every peer may call every task.
   * @default undefined
   */
  allow?: Record<string, AllowRule>
}

export const defaultHttpPort = 9464
export const defaultHttpHost = '127.0.0.1'

/** What an empty config file `{}` means. */
export const defaultConfig: Readonly<BridgeConfig> = Object.freeze({
  capabilities: {},
  root: '/',
  relays: [],
  mdns: true,
  http: { enabled: false, port: defaultHttpPort, host: defaultHttpHost },
  sources: Object.fromEntries(
    sourceNames.map((n) => [n, { enabled: true, sampleMs: defaultSampleMs[n] }])
  ) as unknown as SourcesConfig,
  drivers: []
})

/** One problem in a config file, located. Lines and columns count from 1. */
export interface ConfigIssue {
  line: number
  column: number
  /** The field, e.g. `sources.thermal.sampleMs` or `drivers[0].command`; `''` for the whole file. */
  field: string
  message: string
}

/** A config file that cannot be used. The message names file:line:column, the field and what is wrong. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly issues: ConfigIssue[]
  ) {
    super(issues.map((i) => `${file}:${i.line}:${i.column}: ${i.field || '(file)'}: ${i.message}`).join('\n'))
    this.name = 'ConfigError'
  }
}

// ---- schema -------------------------------------------------------------------------------

const ms = z
  .number({ error: `expected a number ≥ ${rates.minSampleMs}` })
  .min(rates.minSampleMs, { error: `expected a number ≥ ${rates.minSampleMs}` })
  .max(rates.maxSampleMs, { error: `expected a number ≤ ${rates.maxSampleMs}` })
const text = (what: string, max = 1_024) =>
  z
    .string({ error: `expected ${what}` })
    .min(1, { error: `expected ${what}` })
    .max(max, { error: `expected at most ${max} characters` })
const port = 'expected a port number, 0 to 65535'
const sourceFields = { enabled: z.boolean().exactOptional(), sampleMs: ms.exactOptional() }
const onOff = <S extends z.ZodRawShape>(shape: S) =>
  z
    .union([z.boolean(), z.strictObject(shape)], { error: 'expected true, false or an object' })
    .exactOptional()

const capabilityValue = z.union([z.number(), z.boolean(), z.string(), z.array(z.string())], {
  error: 'expected a number, boolean, string or list of strings'
})

const fileSchema = z.strictObject({
  $schema: z.string().exactOptional(),
  name: text('a name of 1 to 64 characters', 64).exactOptional(),
  capabilities: z
    .record(z.string(), capabilityValue)
    .superRefine((caps, ctx) => {
      const problem = capabilitiesProblem(caps)
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem })
    })
    .exactOptional(),
  root: text('a path').exactOptional(),
  dataDir: text('a path').exactOptional(),
  relays: z.array(text('a multiaddr or URL')).max(64).exactOptional(),
  listen: z.array(text('a multiaddr')).max(64).exactOptional(),
  mdns: z.boolean().exactOptional(),
  http: onOff({
    enabled: z.boolean().exactOptional(),
    port: z.int({ error: port }).min(0, { error: port }).max(65_535, { error: port }).exactOptional(),
    host: text('a host name or address').exactOptional()
  }),
  sources: z
    .strictObject({
      ...Object.fromEntries(sourceNames.map((n) => [n, onOff(sourceFields)])),
      storage: onOff({ ...sourceFields, path: text('a path').exactOptional() })
    })
    .exactOptional(),
  drivers: z.array(driverInitSchema).max(64).exactOptional(),
  allow: z
    .record(
      text('a task name or glob', 128),
      z.union([z.literal('*'), z.array(text('a peer id', 128)).max(1_024)], {
        error: 'expected "*" or a list of peer ids'
      })
    )
    .exactOptional()
})

type FileShape = z.output<typeof fileSchema>
type SourceEntry = boolean | { enabled?: boolean; sampleMs?: number; path?: string } | undefined

// ---- locating problems ----------------------------------------------------------------------

type Path = (string | number)[]

function fieldName(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('')
}

class Locator {
  constructor(
    private readonly text: string,
    private readonly tree: Node | undefined
  ) {}

  position(offset: number): { line: number; column: number } {
    const before = this.text.slice(0, offset)
    return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') }
  }

  /** The offset of the value at `path`, or of its key `key`, or of the nearest ancestor that exists. */
  offset(path: Path, key?: string): number {
    if (this.tree === undefined) return 0
    const node = findNodeAtLocation(this.tree, path)
    if (node === undefined) return path.length === 0 ? this.tree.offset : this.offset(path.slice(0, -1))
    if (key !== undefined && node.type === 'object') {
      const prop = node.children?.find((p) => p.children?.[0]?.value === key)
      if (prop?.children?.[0] !== undefined) return prop.children[0].offset
    }
    return node.offset
  }

  issue(path: Path, message: string, key?: string): ConfigIssue {
    const field = fieldName(key === undefined ? path : [...path, key])
    return { ...this.position(this.offset(path, key)), field, message }
  }
}

function render(input: unknown): string {
  if (input === undefined) return 'nothing'
  const json = JSON.stringify(input)
  return json.length > 40 ? `${json.slice(0, 37)}...` : json
}

function got(input: unknown): string {
  return input === undefined ? '' : `, got ${render(input)}`
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`
}

/** The keys an object schema accepts at `path`, for "did you mean". */
function keysAt(schema: z.ZodType, path: Path): string[] {
  let s: z.ZodType | undefined = schema
  for (const seg of [...path, undefined]) {
    while (s !== undefined) {
      const def: z.core.$ZodTypeDef & Record<string, unknown> = s._zod.def as never
      if (def.type === 'optional' || def.type === 'default') s = def.innerType as z.ZodType
      else if (def.type === 'union')
        s = (def.options as z.ZodType[]).find((o) => o._zod.def.type === 'object')
      else break
    }
    if (s === undefined) return []
    const def: Record<string, unknown> = s._zod.def as never
    if (seg === undefined) return def.type === 'object' ? Object.keys(def.shape as object) : []
    if (def.type === 'object') s = (def.shape as Record<string, z.ZodType>)[seg]
    else if (def.type === 'array') s = def.element as z.ZodType
    else if (def.type === 'record') s = def.valueType as z.ZodType
    else return []
  }
  return []
}

function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const next = [i]
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(
        (row[j] ?? 0) + 1,
        (next[j - 1] ?? 0) + 1,
        (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)
      )
    }
    row = next
  }
  return row[b.length] ?? 0
}

function unknownKey(key: string, known: string[]): string {
  const near = known
    .map((k) => ({ k, d: distance(key.toLowerCase(), k.toLowerCase()) }))
    .filter((c) => c.d <= Math.max(1, Math.floor(c.k.length / 3)))
    .sort((a, b) => a.d - b.d)[0]
  return near === undefined ? 'unknown key' : `unknown key (did you mean "${near.k}"?)`
}

/** Zod issues → located issues. A union reports its branch that got furthest, else its own message. */
function toIssues(issues: readonly z.core.$ZodIssue[], base: Path, at: Locator): ConfigIssue[] {
  const out: ConfigIssue[] = []
  for (const issue of issues) {
    const path = [...base, ...(issue.path as Path)]
    const input = (issue as { input?: unknown }).input
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push(at.issue(path, unknownKey(key, keysAt(fileSchema, path)), key))
    } else if (issue.code === 'invalid_union') {
      const deeper = issue.errors.find((branch) =>
        branch.some((i) => i.path.length > 0 || (i.code !== 'invalid_type' && i.code !== 'invalid_value'))
      )
      if (deeper !== undefined) out.push(...toIssues(deeper, path, at))
      else out.push(at.issue(path, `${issue.message}, got ${render(input)}`))
    } else {
      const zodDefault = issue.code === 'invalid_type' && issue.message.startsWith('Invalid input')
      const expected = zodDefault ? `expected ${article(issue.expected)}` : issue.message
      const missing = issue.code === 'invalid_type' && input === undefined
      out.push(at.issue(path, missing ? `missing: ${expected}` : `${expected}${got(input)}`))
    }
  }
  return out
}

/**
 * The tree's value, with every key an own property (`"__proto__"` stays a key, which the
 * schema then rejects, not a prototype). A repeated key is reported: JSON would keep the last.
 */
function nodeValue(node: Node | undefined, path: Path, at: Locator, issues: ConfigIssue[]): unknown {
  if (node?.type === 'array')
    return (node.children ?? []).map((c, i) => nodeValue(c, [...path, i], at, issues))
  if (node?.type !== 'object') return node?.value as unknown
  const out: Record<string, unknown> = {}
  for (const prop of node.children ?? []) {
    const key = String(prop.children?.[0]?.value)
    const field = fieldName([...path, key])
    if (Object.hasOwn(out, key)) issues.push({ ...at.position(prop.offset), field, message: 'duplicate key' })
    const value = nodeValue(prop.children?.[1], [...path, key], at, issues)
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true })
  }
  return out
}

// ---- parsing --------------------------------------------------------------------------------

function sourceConfig(entry: SourceEntry, name: SourceName, base: string): StorageSourceConfig {
  const o = typeof entry === 'object' ? entry : { enabled: entry ?? true }
  const config: StorageSourceConfig = {
    enabled: o.enabled ?? true,
    sampleMs: o.sampleMs ?? defaultSampleMs[name]
  }
  if ('path' in o && o.path !== undefined) config.path = resolve(base, o.path)
  return config
}

function normalise(file: FileShape, base: string): BridgeConfig {
  const http = typeof file.http === 'object' ? file.http : { enabled: file.http ?? false }
  const sources = Object.fromEntries(
    sourceNames.map((n) => [
      n,
      sourceConfig((file.sources as Partial<Record<SourceName, SourceEntry>> | undefined)?.[n], n, base)
    ])
  ) as unknown as SourcesConfig
  const config: BridgeConfig = {
    capabilities: file.capabilities ?? {},
    root: resolve(base, file.root ?? '/'),
    relays: file.relays ?? [],
    mdns: file.mdns ?? true,
    http: {
      enabled: http.enabled ?? true,
      port: http.port ?? defaultHttpPort,
      host: http.host ?? defaultHttpHost
    },
    sources,
    drivers: (file.drivers ?? []).map((d) => (d.cwd === undefined ? d : { ...d, cwd: resolve(base, d.cwd) }))
  }
  if (file.name !== undefined) config.name = file.name
  if (file.dataDir !== undefined) config.dataDir = resolve(base, file.dataDir)
  if (file.listen !== undefined) config.listen = file.listen
  if (file.allow !== undefined) config.allow = file.allow
  return config
}

/**
 * Checks a config file's text. `path` names the file in error messages, and relative paths
 * inside it (`root`, `dataDir`, `sources.storage.path`, a driver's `cwd`) are resolved
 * against its folder. Throws `ConfigError` listing every problem, each as
 * `file:line:column: field: what is wrong`.
 */
export function parseConfig(text: string, path: string): BridgeConfig {
  const errors: ParseError[] = []
  const tree = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false })
  const at = new Locator(text, tree)
  if (errors.length > 0 || tree === undefined) {
    const issues = errors.map((e) => ({
      ...at.position(e.offset),
      field: fieldName(getLocation(text, e.offset).path),
      message: `invalid JSON: ${printParseErrorCode(e.error)}`
    }))
    throw new ConfigError(
      path,
      issues.length > 0 ? issues : [{ line: 1, column: 1, field: '', message: 'empty file' }]
    )
  }
  const issues: ConfigIssue[] = []
  const parsed = fileSchema.safeParse(nodeValue(tree, [], at, issues), { reportInput: true })
  if (!parsed.success) issues.push(...toIssues(parsed.error.issues, [], at))
  if (parsed.success) {
    const names = new Set<string>()
    parsed.data.drivers?.forEach((d, i) => {
      if (names.has(d.name))
        issues.push(at.issue(['drivers', i, 'name'], `another driver is named "${d.name}"`))
      names.add(d.name)
    })
  }
  issues.sort((a, b) => a.line - b.line || a.column - b.column)
  if (issues.length > 0 || !parsed.success) throw new ConfigError(path, issues)
  return normalise(parsed.data, dirname(resolve(path)))
}

/** Reads and checks a config file; see `parseConfig`. A file that cannot be read is a `ConfigError` too. */
export async function loadConfig(path: string): Promise<BridgeConfig> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    const code = (err as { code?: string }).code ?? String(err)
    throw new ConfigError(path, [
      { line: 1, column: 1, field: '', message: `cannot read the file (${code})` }
    ])
  }
  return parseConfig(text, path)
}
