import { evacuationPolicy } from 'mesh-core'
import type { Capabilities, EvacuationOptions } from 'mesh-core'
import { parseCapabilities, parseJsonOption } from './capabilities'
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

/**
 * Parses `?evacuate=`: a JSON object of mesh-core's evacuation options, e.g.
 * `{"hiddenForMs":10000,"batteryBelow":0.3}` (a number option may be `false`: never),
 * checked by mesh-core's own `evacuationPolicy`, so createMesh will not refuse it.
 */
export function parseEvacuate(text: string): Parsed<EvacuationOptions> {
  return parseJsonOption(text, 'evacuation options', (json) => {
    if (typeof json !== 'object' || json === null || Array.isArray(json))
      return 'evacuation options are a JSON object'
    try {
      evacuationPolicy({ evacuate: json })
      return undefined
    } catch (err) {
      return (err as Error).message
    }
  })
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
