import { describe, expect, it } from 'vitest'
import { bootstrapAddresses, hostnameOf } from '../src/http/bootstrap.js'

const ID = '12D3KooWRelayRelayRelayRelayRelayRelayRelayRelay'
const LAN = `/ip4/192.168.1.5/tcp/8081/ws/p2p/${ID}`
const LAN2 = `/ip4/10.0.0.7/tcp/8081/ws/p2p/${ID}`
const LOOP = `/ip4/127.0.0.1/tcp/8081/ws/p2p/${ID}`
const LOOP6 = `/ip6/::1/tcp/8081/ws/p2p/${ID}`
const TCP = `/ip4/192.168.1.5/tcp/8082/p2p/${ID}`
const WSS = `/dns4/relay.example.org/tcp/443/wss/p2p/${ID}`
const CIRCUIT = `/ip4/192.168.1.5/tcp/8081/ws/p2p/${ID}/p2p-circuit`

describe('bootstrapAddresses', () => {
  it('keeps only WebSocket addresses of the relay itself, with /p2p/', () => {
    const all = [TCP, CIRCUIT, `/ip4/192.168.1.5/tcp/8081/ws`, LAN, WSS]
    expect(bootstrapAddresses(all, { hostname: undefined, fromLoopback: false })).toEqual([LAN, WSS])
  })

  it('gives a phone on the LAN the LAN address and no loopback address', () => {
    const all = [LOOP, LOOP6, LAN2, LAN]
    expect(bootstrapAddresses(all, { hostname: '192.168.1.5', fromLoopback: false })).toEqual([LAN, LAN2])
  })

  it('puts the address on the Host the client used first', () => {
    const all = [LAN, LAN2, WSS]
    expect(bootstrapAddresses(all, { hostname: 'relay.example.org', fromLoopback: false })).toEqual([
      WSS,
      LAN,
      LAN2
    ])
    expect(bootstrapAddresses(all, { hostname: 'RELAY.example.org', fromLoopback: false })[0]).toBe(WSS)
  })

  it('includes loopback addresses for a client on this machine, matching ones first', () => {
    const all = [LAN, LOOP]
    expect(bootstrapAddresses(all, { hostname: '127.0.0.1', fromLoopback: true })).toEqual([LOOP, LAN])
    expect(bootstrapAddresses(all, { hostname: 'localhost', fromLoopback: true })).toEqual([LOOP, LAN])
    expect(bootstrapAddresses(all, { hostname: '192.168.1.5', fromLoopback: true })).toEqual([LAN, LOOP])
  })

  it('falls back to loopback addresses when there is nothing better', () => {
    expect(bootstrapAddresses([LOOP, TCP], { hostname: '192.168.1.5', fromLoopback: false })).toEqual([LOOP])
  })

  it('lists each address once', () => {
    expect(bootstrapAddresses([LAN, LAN], { hostname: undefined, fromLoopback: false })).toEqual([LAN])
  })
})

describe('hostnameOf', () => {
  it('strips the port and IPv6 brackets', () => {
    expect(hostnameOf('192.168.1.5:8080')).toBe('192.168.1.5')
    expect(hostnameOf('[::1]:8080')).toBe('::1')
    expect(hostnameOf('Relay.Local')).toBe('relay.local')
  })

  it('ignores a missing or unparseable Host', () => {
    expect(hostnameOf(undefined)).toBeUndefined()
    expect(hostnameOf('')).toBeUndefined()
    expect(hostnameOf('bad host:port')).toBeUndefined()
  })
})
