import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { CircuitRelayService } from '@libp2p/circuit-relay-v2'
import { describe, expect, it } from 'vitest'
import { IMMUTABLE_CACHE_CONTROL } from '../src/constants.js'
import { createMesh } from 'mesh-core'
import { createRelay } from '../src/index.js'
import { get, getJson, startRelay, tempDir, waitFor } from './helpers.js'

/** A minimal Vite-like PWA build. */
async function writePwa(dir: string): Promise<void> {
  await mkdir(join(dir, 'assets'), { recursive: true })
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>Mesh</title><div id="root"></div>')
  await writeFile(join(dir, 'sw.js'), 'self.addEventListener("fetch", () => {})')
  await writeFile(join(dir, 'manifest.webmanifest'), '{"name":"Mesh"}')
  await writeFile(join(dir, 'assets', 'index-Bx1y2z3A.js'), 'console.log("mesh")')
  await writeFile(join(dir, 'assets', 'index-Cq9w8e7R.css'), 'body{margin:0}')
  await writeFile(join(dir, '.env'), 'SECRET=1')
}

interface BootstrapBody {
  peerId: string
  addresses: string[]
}

describe('createRelay', () => {
  it('serves bootstrap.json with its WebSocket multiaddrs, and healthz', async () => {
    await using data = await tempDir()
    await using relay = await startRelay({ dataDir: data.path })

    expect(relay.peerId).toMatch(/^12D3Koo|^Qm/)
    expect(relay.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(relay.lanUrls).toEqual([])
    expect(relay.addresses.length).toBeGreaterThan(0)
    for (const address of relay.addresses) expect(address).toContain(`/p2p/${relay.peerId}`)

    const boot = await getJson(`${relay.url}/bootstrap.json`)
    expect(boot.status).toBe(200)
    expect(boot.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(boot.headers['cache-control']).toBe('no-store')
    expect(boot.headers['access-control-allow-origin']).toBe('*')
    const body = boot.json as BootstrapBody
    expect(body.peerId).toBe(relay.peerId)
    expect(body.addresses.length).toBeGreaterThan(0)
    for (const address of body.addresses) {
      expect(address).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/ws\/p2p\//)
      expect(address.endsWith(`/p2p/${relay.peerId}`)).toBe(true)
      expect(relay.addresses).toContain(address)
    }
    // The WebSocket listener is on its own port, not the web server's.
    expect(body.addresses[0]).not.toContain(`/tcp/${new URL(relay.url).port}/`)

    const health = await getJson(`${relay.url}/healthz`)
    expect(health.status).toBe(200)
    expect(health.headers['cache-control']).toBe('no-store')
    expect(health.json).toMatchObject({ ok: true, peerId: relay.peerId, peers: 0 })
    expect((health.json as { uptimeMs: number }).uptimeMs).toBeGreaterThanOrEqual(0)

    const head = await get(`${relay.url}/healthz`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.body).toBe('')
    expect(Number(head.headers['content-length'])).toBeGreaterThan(0)
  })

  it('serves the PWA: files with their types, cache headers, and the SPA fallback', async () => {
    await using data = await tempDir()
    await using pwa = await tempDir()
    await writePwa(pwa.path)
    await using relay = await startRelay({ dataDir: data.path, pwaDir: pwa.path })

    const index = await get(`${relay.url}/`)
    expect(index.status).toBe(200)
    expect(index.body).toContain('<title>Mesh</title>')
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(index.headers['cache-control']).toBe('no-cache')

    const js = await get(`${relay.url}/assets/index-Bx1y2z3A.js`)
    expect(js.status).toBe(200)
    expect(js.body).toBe('console.log("mesh")')
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect(js.headers['cache-control']).toBe(IMMUTABLE_CACHE_CONTROL)
    expect(js.headers['content-length']).toBe(String(Buffer.byteLength('console.log("mesh")')))

    const css = await get(`${relay.url}/assets/index-Cq9w8e7R.css`)
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8')

    const sw = await get(`${relay.url}/sw.js`)
    expect(sw.status).toBe(200)
    expect(sw.headers['cache-control']).toBe('no-cache')

    const manifest = await get(`${relay.url}/manifest.webmanifest`)
    expect(manifest.headers['content-type']).toBe('application/manifest+json; charset=utf-8')

    // App routes have no extension and get index.html; missing files get 404.
    const route = await get(`${relay.url}/peers/12D3KooWabc?tab=caps`)
    expect(route.status).toBe(200)
    expect(route.body).toContain('<title>Mesh</title>')
    expect(route.headers['cache-control']).toBe('no-cache')
    expect((await get(`${relay.url}/assets/missing-123.js`)).status).toBe(404)
    expect((await get(`${relay.url}/.env`)).status).toBe(404)

    // Revalidation: the ETag of index.html answers with 304.
    const etag = index.headers.etag
    expect(etag).toBeDefined()
    const again = await get(`${relay.url}/index.html`, { headers: { 'If-None-Match': etag ?? '' } })
    expect(again.status).toBe(304)
    expect(again.body).toBe('')
  })

  it('serves a page explaining how to build the PWA when there is none', async () => {
    await using data = await tempDir()
    await using relay = await startRelay({ dataDir: data.path, pwaDir: join(data.path, 'no-such-build') })

    for (const path of ['/', '/some/route']) {
      const page = await get(`${relay.url}${path}`)
      expect(page.status).toBe(503)
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8')
      expect(page.body).toContain('PWA is not built')
      expect(page.body).toContain('npm run build -w apps/pwa')
      expect(page.body).toContain('no-such-build')
    }
    expect((await get(`${relay.url}/favicon.ico`)).status).toBe(404)
    // The API still works without a PWA.
    expect((await get(`${relay.url}/bootstrap.json`)).status).toBe(200)
  })

  it('picks up a PWA built after the relay started', async () => {
    await using data = await tempDir()
    await using pwa = await tempDir()
    await using relay = await startRelay({ dataDir: data.path, pwaDir: pwa.path })
    expect((await get(`${relay.url}/`)).status).toBe(503)
    await writePwa(pwa.path)
    expect((await get(`${relay.url}/`)).status).toBe(200)
  })

  it('is a bootstrap peer: a device joins through its bootstrap.json and healthz counts it', async () => {
    await using data = await tempDir()
    await using relay = await startRelay({ dataDir: data.path })
    await using deviceDir = await tempDir()
    const device = await createMesh({
      role: 'device',
      name: 'test-device',
      dataDir: deviceDir.path,
      bootstrap: [`${relay.url}/bootstrap.json`],
      listen: ['/ip4/127.0.0.1/tcp/0'],
      mdns: false,
      dht: false
    })
    try {
      await waitFor('the relay to see the device', async () => {
        const health = (await getJson(`${relay.url}/healthz`)).json as { peers: number }
        return health.peers >= 1 ? true : undefined
      })
      expect(relay.mesh.peers().map((p) => p.id)).toContain(device.peerId)
      expect(relay.logs.some((e) => e.event === 'peer:join' && e.fields?.peerId === device.peerId)).toBe(true)
    } finally {
      await device.stop()
    }
  })

  it('grants circuit-relay reservations, up to maxReservations', async () => {
    await using data = await tempDir()
    await using relay = await startRelay({ dataDir: data.path, maxReservations: 1 })
    await using dirs = await tempDir()
    const devices = await Promise.all(
      ['a', 'b'].map((name) =>
        createMesh({
          role: 'device',
          name,
          dataDir: join(dirs.path, name),
          bootstrap: [`${relay.url}/bootstrap.json`],
          listen: ['/ip4/127.0.0.1/tcp/0', '/p2p-circuit'],
          mdns: false,
          dht: false
        })
      )
    )
    try {
      const circuit = `/p2p/${relay.peerId}/p2p-circuit`
      const holders = (): number =>
        devices.filter((d) => d.addresses().some((a) => a.includes(circuit))).length
      // Both devices are connected to the relay and one holds a reservation...
      await waitFor('both devices to join and one reservation', () =>
        relay.mesh.peers().length === 2 && holders() >= 1 ? true : undefined
      )
      // ...and the other was refused: the relay holds at most one.
      expect(holders()).toBe(1)
    } finally {
      await Promise.all(devices.map((d) => d.stop()))
    }
  })

  it('applies the configured circuit-relay limits to reservations', async () => {
    await using data = await tempDir()
    await using relay = await startRelay({
      dataDir: data.path,
      connectionDurationMs: 5_000,
      connectionDataBytes: 4_096,
      reservationTtlMs: 60_000
    })
    const device = await createMesh({
      role: 'device',
      name: 'limited',
      bootstrap: [`${relay.url}/bootstrap.json`],
      listen: ['/ip4/127.0.0.1/tcp/0', '/p2p-circuit'],
      mdns: false,
      dht: false
    })
    try {
      const server = (relay.mesh.libp2p.services as unknown as { relay: CircuitRelayService }).relay
      const reservation = await waitFor('a reservation', () => [...server.reservations.values()][0])
      expect(reservation.limit).toEqual({ duration: 5_000, data: 4_096n })
      const ttl = reservation.expiry.getTime() - Date.now()
      expect(ttl).toBeGreaterThan(50_000)
      expect(ttl).toBeLessThanOrEqual(60_000)
    } finally {
      await device.stop()
    }
  })

  it('keeps its peer id across restarts with the same data directory', async () => {
    await using data = await tempDir()
    let first: string
    {
      await using relay = await startRelay({ dataDir: data.path })
      first = relay.peerId
    }
    {
      await using relay = await startRelay({ dataDir: data.path })
      expect(relay.peerId).toBe(first)
    }
    await using other = await tempDir()
    await using fresh = await startRelay({ dataDir: other.path })
    expect(fresh.peerId).not.toBe(first)
  })

  it('on every interface, lists LAN URLs and orders bootstrap addresses by the Host used', async () => {
    await using data = await tempDir()
    await using relay = await startRelay({ dataDir: data.path, host: '0.0.0.0' })
    const port = new URL(relay.url).port
    expect(relay.url).toBe(`http://127.0.0.1:${port}`)
    for (const url of relay.lanUrls) {
      expect(url).toMatch(new RegExp(`^http://\\d+\\.\\d+\\.\\d+\\.\\d+:${port}$`))
      expect(url).not.toContain('127.0.0.1')
    }
    const lanHost = relay.lanUrls[0] === undefined ? undefined : new URL(relay.lanUrls[0]).hostname
    // Connecting over loopback while naming the LAN address, as a proxy or port-forward would.
    const res = await get(`${relay.url}/bootstrap.json`, {
      headers: { Host: `${lanHost ?? '127.0.0.1'}:${port}` }
    })
    const body = JSON.parse(res.body) as BootstrapBody
    expect(body.addresses.length).toBeGreaterThan(0)
    if (lanHost !== undefined) expect(body.addresses[0]).toContain(`/ip4/${lanHost}/tcp/`)
    // A loopback client is also offered the loopback address.
    expect(body.addresses.some((a) => a.startsWith('/ip4/127.0.0.1/'))).toBe(true)
  })

  it('hands out announced addresses', async () => {
    await using data = await tempDir()
    const announce = ['/dns4/relay.example.org/tcp/443/wss', '/ip4/127.0.0.1/tcp/9/ws']
    await using relay = await startRelay({ dataDir: data.path, announce })
    const res = await get(`${relay.url}/bootstrap.json`, { headers: { Host: 'relay.example.org' } })
    const body = JSON.parse(res.body) as BootstrapBody
    expect(body.addresses).toEqual([
      `/dns4/relay.example.org/tcp/443/wss/p2p/${relay.peerId}`,
      `/ip4/127.0.0.1/tcp/9/ws/p2p/${relay.peerId}`
    ])
  })

  it('refuses impossible options before starting anything', async () => {
    await expect(createRelay({ port: 65_534 })).rejects.toHaveProperty('name', 'InvalidOptionError')
    await expect(createRelay({ port: -1 })).rejects.toHaveProperty('name', 'InvalidOptionError')
    await expect(createRelay({ host: 'relay.local' })).rejects.toHaveProperty('name', 'InvalidOptionError')
    await expect(createRelay({ maxReservations: 0 })).rejects.toHaveProperty('name', 'InvalidOptionError')
    await expect(createRelay({ cert: '/tmp/cert.pem' })).rejects.toHaveProperty('name', 'InvalidOptionError')
    await expect(createRelay({ announce: ['relay.example.org'] })).rejects.toHaveProperty(
      'name',
      'InvalidOptionError'
    )
  })

  it('fails to start, and stops its mesh peer, when the HTTP port is taken', async () => {
    await using data = await tempDir()
    await using first = await startRelay({ dataDir: data.path })
    await using other = await tempDir()
    const port = Number(new URL(first.url).port)
    await expect(startRelay({ dataDir: other.path, port })).rejects.toHaveProperty('code', 'EADDRINUSE')
  })
})
