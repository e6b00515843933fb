import { X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { lanIPv4Addresses } from '../src/lan.js'
import { createRelay } from '../src/index.js'
import { getJson, startRelay, tempDir } from './helpers.js'

describe('TLS', () => {
  it('generates a certificate once, reuses it, and serves https and wss', async () => {
    await using data = await tempDir()
    const certPath = join(data.path, 'cert.pem')
    const keyPath = join(data.path, 'key.pem')
    let firstCert: string
    {
      await using relay = await startRelay({ dataDir: data.path, tls: true })
      expect(relay.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
      firstCert = await readFile(certPath, 'utf8')
      expect((await stat(keyPath)).mode & 0o077).toBe(0)

      const x509 = new X509Certificate(firstCert)
      expect(x509.subjectAltName).toContain('DNS:localhost')
      expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1')
      for (const ip of lanIPv4Addresses()) expect(x509.checkIP(ip)).toBe(ip)
      expect(relay.logs.map((e) => e.event)).toContain('tls:certificate-created')

      const health = await getJson(`${relay.url}/healthz`)
      expect(health.json).toMatchObject({ ok: true, peerId: relay.peerId })
      const boot = await getJson(`${relay.url}/bootstrap.json`)
      const addresses = (boot.json as { addresses: string[] }).addresses
      expect(addresses.length).toBeGreaterThan(0)
      for (const address of addresses) expect(address).toMatch(/\/tcp\/\d+\/(wss|tls\/ws)\/p2p\//)
    }
    {
      await using relay = await startRelay({ dataDir: data.path, tls: true })
      expect(await readFile(certPath, 'utf8')).toBe(firstCert)
      expect(relay.logs.map((e) => e.event)).not.toContain('tls:certificate-created')
      expect((await getJson(`${relay.url}/healthz`)).status).toBe(200)
    }
  })

  it('serves a given certificate and key', async () => {
    await using generated = await tempDir()
    {
      // Borrow a generated pair as the "given" one.
      await using relay = await startRelay({ dataDir: generated.path, tls: true })
      expect(relay.url.startsWith('https:')).toBe(true)
    }
    await using data = await tempDir()
    await using relay = await startRelay({
      dataDir: data.path,
      cert: join(generated.path, 'cert.pem'),
      key: join(generated.path, 'key.pem')
    })
    expect(relay.url.startsWith('https:')).toBe(true)
    expect((await getJson(`${relay.url}/healthz`)).status).toBe(200)
    // Given files are used as they are; nothing is generated.
    await expect(stat(join(data.path, 'cert.pem'))).rejects.toHaveProperty('code', 'ENOENT')
  })

  it('refuses a key that does not belong to the certificate, or files that are not PEM', async () => {
    await using a = await tempDir()
    await using b = await tempDir()
    for (const dir of [a.path, b.path]) {
      await using relay = await startRelay({ dataDir: dir, tls: true })
      expect(relay.url.startsWith('https:')).toBe(true)
    }
    await using data = await tempDir()
    const mismatched = createRelay({
      dataDir: data.path,
      cert: join(a.path, 'cert.pem'),
      key: join(b.path, 'key.pem')
    })
    await expect(mismatched).rejects.toHaveProperty('name', 'CertificateError')

    const garbage = join(data.path, 'garbage.pem')
    await writeFile(garbage, 'not a certificate')
    await expect(createRelay({ dataDir: data.path, cert: garbage, key: garbage })).rejects.toHaveProperty(
      'name',
      'CertificateError'
    )
    await expect(
      createRelay({ dataDir: data.path, cert: join(data.path, 'missing.pem'), key: garbage })
    ).rejects.toHaveProperty('name', 'CertificateError')
  })

  it('replaces a damaged generated certificate', async () => {
    await using data = await tempDir()
    await writeFile(join(data.path, 'cert.pem'), 'damaged')
    await writeFile(join(data.path, 'key.pem'), 'damaged')
    await using relay = await startRelay({ dataDir: data.path, tls: true })
    expect(relay.logs.map((e) => e.event)).toContain('tls:certificate-replaced')
    expect(() => new X509Certificate(readFileSync(join(data.path, 'cert.pem'), 'utf8'))).not.toThrow()
  })
})
