import { isLoopbackAddress } from '../lan.js'

/** The body of `GET /bootstrap.json`, which the PWA's mesh-core fetches to find the relay. */
export interface BootstrapDocument {
  peerId: string
  addresses: string[]
}

export interface BootstrapRequest {
  /** The hostname of the request's Host header, without port or brackets, if any. */
  hostname: string | undefined
  /** Whether the request came from this machine. */
  fromLoopback: boolean
}

/** The host component and transport of a multiaddr string, as far as bootstrap needs them. */
interface ParsedAddress {
  address: string
  host: string
  loopback: boolean
}

const HOST_PROTOCOLS = new Set(['ip4', 'ip6', 'dns', 'dns4', 'dns6', 'dnsaddr'])

function parse(address: string): ParsedAddress | undefined {
  const parts = address.split('/')
  // '', proto, host, ...
  const proto = parts[1]
  const host = parts[2]
  if (proto === undefined || host === undefined || !HOST_PROTOCOLS.has(proto)) return undefined
  const rest = parts.slice(3)
  // Browsers reach the relay over WebSockets only; circuit addresses are not the relay itself.
  const ws = rest.includes('ws') || rest.includes('wss')
  if (!ws || rest.includes('p2p-circuit') || !rest.includes('p2p')) return undefined
  const loopback =
    proto === 'dns' || proto === 'dns4' || proto === 'dns6' ? host === 'localhost' : isLoopbackAddress(host)
  return { address, host: host.toLowerCase(), loopback }
}

/**
 * The WebSocket multiaddrs (with /p2p/) to hand to one client, best first: addresses on
 * the host the client used to reach us come first, since that host is known to be
 * reachable from it. Loopback addresses are useless to a phone, so they are only
 * included for clients on this machine, or when there is nothing else to offer.
 */
export function bootstrapAddresses(all: readonly string[], request: BootstrapRequest): string[] {
  const parsed = all.flatMap((a) => parse(a) ?? [])
  const hostname = request.hostname?.toLowerCase()
  const others = parsed.filter((p) => !p.loopback)
  const candidates = request.fromLoopback || others.length === 0 ? parsed : others
  const onHost = (p: ParsedAddress): boolean =>
    p.host === hostname || (hostname === 'localhost' && p.loopback)
  const matching = candidates.filter(onHost)
  const rest = candidates.filter((p) => !onHost(p))
  return [...new Set([...matching, ...rest].map((p) => p.address))]
}

/** The hostname of a Host header value (`192.168.1.5:8080`, `[::1]:8080`, `relay.local`). */
export function hostnameOf(hostHeader: string | undefined): string | undefined {
  if (hostHeader === undefined || hostHeader === '') return undefined
  try {
    const hostname = new URL(`http://${hostHeader}`).hostname
    return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname
  } catch {
    return undefined
  }
}
