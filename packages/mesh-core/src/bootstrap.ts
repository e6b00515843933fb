import { multiaddr } from '@multiformats/multiaddr'
import type { Multiaddr } from '@multiformats/multiaddr'
import { InvalidBootstrapAddressError } from './errors.ts'

/** A bootstrap entry: a relay multiaddr, or a URL of a bootstrap.json document. */
export type BootstrapEntry = { kind: 'addr'; addr: Multiaddr; peer: string } | { kind: 'url'; url: string }

/** Parse one entry; throws `InvalidBootstrapAddressError` naming it. */
export function parseBootstrapEntry(entry: string): BootstrapEntry {
  if (typeof entry !== 'string' || entry.length === 0) {
    throw new InvalidBootstrapAddressError(String(entry), 'an entry must be a non-empty string')
  }
  if (/^https?:\/\//i.test(entry)) {
    try {
      return { kind: 'url', url: new URL(entry).toString() }
    } catch {
      throw new InvalidBootstrapAddressError(entry, 'not a valid URL')
    }
  }
  if (!entry.startsWith('/')) {
    throw new InvalidBootstrapAddressError(entry, 'expected a multiaddr (starting with /) or an http(s) URL')
  }
  let addr: Multiaddr
  try {
    addr = multiaddr(entry)
  } catch (err) {
    throw new InvalidBootstrapAddressError(entry, `not a multiaddr (${(err as Error).message})`)
  }
  const peer = addr.getComponents().findLast((c) => c.name === 'p2p')?.value
  if (peer === undefined) throw new InvalidBootstrapAddressError(entry, 'it must end with /p2p/<peer id>')
  return { kind: 'addr', addr, peer }
}

/**
 * The addresses in a fetched bootstrap.json: `{ "addresses": [multiaddr, ...] }`.
 * Bad entries are returned as problems, not thrown: one bad line must not hide the rest.
 */
export function parseBootstrapDocument(
  url: string,
  doc: unknown
): { entries: BootstrapEntry[]; problems: string[] } {
  const list = (doc as { addresses?: unknown } | null)?.addresses
  if (!Array.isArray(list)) return { entries: [], problems: [`${url}: expected { "addresses": [...] }`] }
  const entries: BootstrapEntry[] = []
  const problems: string[] = []
  for (const a of list) {
    try {
      const e = parseBootstrapEntry(a as string)
      if (e.kind === 'addr') entries.push(e)
      else problems.push(`${url}: nested URL ${e.url} ignored`)
    } catch (err) {
      problems.push(`${url}: ${(err as Error).message}`)
    }
  }
  return { entries, problems }
}
