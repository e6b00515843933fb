import { evacuationPolicy } from 'mesh-core'
import type { Capabilities, EvacuationOptions } from 'mesh-core'
import { parseCapabilities } from './capabilities'
import type { Parsed } from './capabilities'

/** Where the name chosen with `?name=` is remembered across visits. */
export const nameStorageKey = 'mesh.name'

/** The longest name accepted from the query string; longer ones are cut. */
export const maxNameLength = 64

export interface StartOptions {
  name?: string
  capabilities?: Capabilities
  /** When this page hands its actors away (`?evacuate=`); mesh-core's defaults otherwise. */
  evacuate?: EvacuationOptions
  /** Problems with the query string, shown as a banner; the offending parameter is ignored. */
  problems: string[]
}

/** The part of `Storage` this module uses, so tests can pass a plain map. */
export interface NameStore {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
}

function readName(store: NameStore | undefined): string | undefined {
  try {
    return store?.getItem(nameStorageKey) ?? undefined
  } catch {
    // Storage can be disabled (private mode, blocked cookies); the name is then not remembered.
    return undefined
  }
}

function writeName(store: NameStore | undefined, name: string): void {
  try {
    store?.setItem(nameStorageKey, name)
  } catch {
    // See readName.
  }
}

const evacuateKeys: Record<string, 'boolean' | 'number'> = {
  onStop: 'boolean',
  onPageHide: 'boolean',
  hiddenForMs: 'number',
  batteryBelow: 'number'
}

/**
 * Parses `?evacuate=`: a JSON object of mesh-core's evacuation options, e.g.
 * `{"hiddenForMs":10000,"batteryBelow":0.3}` (a number option may be `false`: never).
 */
export function parseEvacuate(text: string): Parsed<EvacuationOptions> {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return { ok: false, error: 'evacuation options are not valid JSON' }
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return { ok: false, error: 'evacuation options are a JSON object' }
  for (const [k, v] of Object.entries(json)) {
    const type = evacuateKeys[k]
    if (type === undefined) return { ok: false, error: `unknown evacuation option "${k}"` }
    if (typeof v !== type && !(type === 'number' && v === false))
      return { ok: false, error: `${k} is a ${type}${type === 'number' ? ' or false' : ''}` }
  }
  try {
    evacuationPolicy({ evacuate: json })
  } catch (err) {
    return { ok: false, error: (err as Error).message }
  }
  return { ok: true, value: json }
}

/**
 * Reads the start options from the page's query string: `?name=NAME` (remembered),
 * `?caps=<url-encoded JSON object>` and `?evacuate=<url-encoded JSON object>`. A bad
 * `caps` or `evacuate` is reported and ignored.
 */
export function readStartOptions(search: string, store: NameStore | undefined): StartOptions {
  const params = new URLSearchParams(search)
  const options: StartOptions = { problems: [] }

  const queryName = params.get('name')?.trim().slice(0, maxNameLength)
  if (queryName !== undefined && queryName !== '') {
    writeName(store, queryName)
    options.name = queryName
  } else {
    const stored = readName(store)
    if (stored !== undefined && stored !== '') options.name = stored
  }

  const caps = params.get('caps')
  if (caps !== null) {
    const parsed = parseCapabilities(caps)
    if (parsed.ok) options.capabilities = parsed.value
    else options.problems.push(`Ignored ?caps: ${parsed.error}.`)
  }
  const evacuate = params.get('evacuate')
  if (evacuate !== null) {
    const parsed = parseEvacuate(evacuate)
    if (parsed.ok) options.evacuate = parsed.value
    else options.problems.push(`Ignored ?evacuate: ${parsed.error}.`)
  }
  return options
}
