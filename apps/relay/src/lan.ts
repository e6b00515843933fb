import { isIP } from 'node:net'
import { networkInterfaces } from 'node:os'

/** Every non-internal IPv4 address of this machine, in interface order, without duplicates. */
export function lanIPv4Addresses(): string[] {
  const found = new Set<string>()
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) {
      if (entry.family === 'IPv4' && !entry.internal) found.add(entry.address)
    }
  }
  return [...found]
}

/** 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
export function isLoopbackAddress(address: string): boolean {
  const ip = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address
  if (isIP(ip) === 4) return ip.startsWith('127.')
  return ip === '::1'
}

/** 0.0.0.0 and ::, which listen on every interface. */
export function isWildcardAddress(address: string): boolean {
  return address === '0.0.0.0' || address === '::'
}

/** An IP as it appears in a URL authority: IPv6 in brackets. */
export function urlHost(ip: string): string {
  return isIP(ip) === 6 ? `[${ip}]` : ip
}
