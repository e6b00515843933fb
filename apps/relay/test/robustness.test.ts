import { mkdir, symlink, writeFile } from 'node:fs/promises'
import { once } from 'node:events'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LINGER_MS } from '../src/constants.js'
import { createRequestHandler } from '../src/http/handler.js'
import { startWebServer } from '../src/http/server.js'
import type { RelayLogEntry } from '../src/index.js'
import type { TempDir, TestRelay } from './helpers.js'
import { get, isHealthy, rawRequest, startRelay, tempDir } from './helpers.js'

const SECRET = 'TOP-SECRET-OUTSIDE-THE-PWA'

describe('the web server under bad requests', () => {
  let dir: TempDir
  let relay: TestRelay
  let port: number

  beforeAll(async () => {
    dir = await tempDir()
    const pwa = join(dir.path, 'pwa')
    await mkdir(join(pwa, 'assets'), { recursive: true })
    await writeFile(join(pwa, 'index.html'), '<!doctype html><title>Mesh</title>')
    await writeFile(join(dir.path, 'secret.txt'), SECRET)
    await symlink(join(dir.path, 'secret.txt'), join(pwa, 'assets', 'leak.txt'))
    await symlink(dir.path, join(pwa, 'up'))
    relay = await startRelay({ dataDir: join(dir.path, 'data'), pwaDir: pwa })
    port = Number(new URL(relay.url).port)
  })

  afterAll(async () => {
    await relay?.close()
    await dir?.[Symbol.asyncDispose]()
  })

  /** After every bad request, the server must still answer. */
  async function expectStillServing(): Promise<void> {
    const res = await get(`${relay.url}/healthz`)
    expect(res.status).toBe(200)
    expect(isHealthy(res.body, relay.peerId)).toBe(true)
  }

  function request(target: string, method = 'GET', extraHeaders = ''): string {
    return `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n${extraHeaders}\r\n`
  }

  it.each(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])('answers %s with 405 and Allow', async (method) => {
    const res = await rawRequest(port, [request('/healthz', method, 'Content-Length: 0\r\n')])
    expect(res.status).toBe(405)
    expect(res.response).toMatch(/\r\nAllow: GET, HEAD\r\n/i)
    await expectStillServing()
  })

  it.each([
    '/../secret.txt',
    '/assets/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E%2Fsecret.txt',
    '/assets/%2e%2e/%2e%2e/secret.txt',
    '/..%5csecret.txt',
    '/..%5c..%5csecret.txt',
    '/%00',
    '/index.html%00.js',
    '/%E0%A4%A',
    '/%zz',
    'secret.txt'
  ])('refuses %s with 400 and leaks nothing', async (target) => {
    const res = await rawRequest(port, [request(target)])
    expect(res.status).toBe(400)
    expect(res.response).not.toContain(SECRET)
    await expectStillServing()
  })

  it.each([
    ['a raw backslash', 'GET /..\\secret.txt HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a raw NUL', 'GET /\u0000 HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a garbage request line', 'HELLO\r\n\r\n'],
    ['a bad header', 'GET / HTTP/1.1\r\nHost x\r\n\r\n'],
    ['a bad Content-Length', 'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n']
  ])('refuses %s with 400', async (_what, raw) => {
    const res = await rawRequest(port, [Buffer.from(raw, 'latin1')])
    expect(res.status).toBe(400)
    expect(res.response).not.toContain(SECRET)
    expect(res.closedByServer).toBe(true)
    await expectStillServing()
  })

  it('does not follow symlinks out of the PWA directory', async () => {
    for (const target of ['/assets/leak.txt', '/up/secret.txt']) {
      const res = await rawRequest(port, [request(target)])
      expect(res.status).toBe(404)
      expect(res.response).not.toContain(SECRET)
    }
    await expectStillServing()
  })

  it('answers a request target over 2 KiB with 414', async () => {
    const res = await rawRequest(port, [request(`/${'a'.repeat(3_000)}`)])
    expect(res.status).toBe(414)
    await expectStillServing()
  })

  it('answers oversized headers with 431', async () => {
    const res = await rawRequest(port, [request('/healthz', 'GET', `X-Big: ${'b'.repeat(20_000)}\r\n`)])
    expect(res.status).toBe(431)
    await expectStillServing()
  })

  it('answers a GET with a huge body without reading it, then closes the connection', async () => {
    // 1 GiB announced, 64 KiB sent: an answer proves the server did not wait for the body.
    const head = `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 1073741824\r\n\r\n`
    const res = await rawRequest(port, [head, Buffer.alloc(65_536, 'x')])
    expect(res.status).toBe(200)
    expect(res.response).toMatch(/\r\nConnection: close\r\n/i)
    expect(res.response).toContain(relay.peerId)
    expect(res.closedByServer).toBe(true)
    await expectStillServing()
  })

  it('answers a GET with an endless chunked body, then closes the connection', async () => {
    const head = `GET /bootstrap.json HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nTransfer-Encoding: chunked\r\n\r\n`
    const res = await rawRequest(port, [head, `10000\r\n${'y'.repeat(65_536)}\r\n`])
    expect(res.status).toBe(200)
    expect(res.closedByServer).toBe(true)
    await expectStillServing()
  })

  it('delivers the answer to a client still sending its body', async () => {
    // Closing right after the answer would reset the connection while the client is
    // writing, and a reset can drop the answer before the client reads it. Five rounds:
    // without a lingering close, most of them lose the answer.
    for (let round = 0; round < 5; round++) {
      const result = await sendBodyUntilClosed(port, { allowHalfOpen: false })
      expect(result.response).toMatch(/^HTTP\/1\.1 200 OK/)
    }
    await expectStillServing()
  })

  it('stops reading from a client that keeps sending its body after the answer', async () => {
    // allowHalfOpen: this client ignores the server's FIN and goes on writing.
    const started = Date.now()
    const { response, written } = await sendBodyUntilClosed(port, { allowHalfOpen: true })
    expect(response).toMatch(/^HTTP\/1\.1 200 OK/)
    // The server, not our 1 GiB limit, ended it: it stopped reading past its linger cap
    // (flow control held the rest in socket buffers) and closed after its linger time.
    expect(written).toBeLessThan(64 * 1_048_576)
    expect(Date.now() - started).toBeLessThan(LINGER_MS + 5_000)
    await expectStillServing()
  })

  it('keeps a healthy connection alive for the next request', async () => {
    const one = `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`
    const res = await rawRequest(port, [one, request('/bootstrap.json')])
    expect(res.response.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(2)
  })
})

describe('the web server against stalling clients', () => {
  it('closes a connection that never finishes its headers', async () => {
    await using dir = await tempDir()
    await using relay = await startRelay({
      dataDir: dir.path,
      httpTimeouts: { headersTimeoutMs: 300, requestTimeoutMs: 600 }
    })
    const port = Number(new URL(relay.url).port)
    const started = Date.now()
    const res = await rawRequest(port, [`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: `], {
      deadlineMs: 10_000
    })
    expect(res.closedByServer).toBe(true)
    expect(res.status).toBe(408)
    // The deadline bounds the test; the server must act well before it.
    expect(Date.now() - started).toBeLessThan(5_000)
    const health = await get(`${relay.url}/healthz`)
    expect(health.status).toBe(200)
  })
})

/**
 * Runs in a worker thread, so that the client reads on its own event loop, as a real
 * client would, rather than in step with the server: sends a GET announcing a 4 GiB body
 * and writes it as fast as the connection takes it until the connection closes (or 1 GiB
 * has gone, which the tests treat as a failure).
 */
const BODY_SENDER = `
const { connect } = require('node:net')
const { workerData, parentPort } = require('node:worker_threads')
const { port, allowHalfOpen } = workerData
const limit = 1_073_741_824
let written = 0
let response = ''
const socket = connect({ host: '127.0.0.1', port, allowHalfOpen })
socket.on('error', () => {}) // EPIPE or ECONNRESET once the server has closed
socket.on('data', (chunk) => (response += chunk.toString('latin1')))
socket.on('close', () => parentPort.postMessage({ response, written }))
const chunk = Buffer.alloc(1_048_576, 'z')
const pump = () => {
  while (!socket.destroyed && written < limit && socket.write(chunk)) written += chunk.byteLength
  if (written >= limit) socket.destroy()
}
socket.on('drain', pump)
socket.on('connect', () => {
  socket.write('GET /healthz HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nContent-Length: ' + limit * 4 + '\\r\\n\\r\\n')
  pump()
})
`

async function sendBodyUntilClosed(
  port: number,
  { allowHalfOpen }: { allowHalfOpen: boolean }
): Promise<{ response: string; written: number }> {
  const worker = new Worker(BODY_SENDER, { eval: true, workerData: { port, allowHalfOpen } })
  try {
    const [result] = (await once(worker, 'message')) as [{ response: string; written: number }]
    return result
  } finally {
    await worker.terminate()
  }
}

describe('the web server when the relay fails inside a request', () => {
  it('answers 500, logs the error, and keeps serving', async () => {
    const logs: RelayLogEntry[] = []
    let failing = true
    const server = await startWebServer({
      host: '127.0.0.1',
      port: 0,
      tls: undefined,
      timeouts: { headersTimeoutMs: 5_000, requestTimeoutMs: 10_000, keepAliveTimeoutMs: 1_000 },
      log: (entry) => logs.push(entry),
      handler: createRequestHandler({
        peerId: '12D3KooWtest',
        addresses: () => [],
        goodbye: () => Promise.resolve(),
        peerCount: () => {
          if (failing) throw new Error('peer table exploded')
          return 3
        },
        pwaDirs: [],
        log: (entry) => logs.push(entry)
      })
    })
    try {
      const url = `http://127.0.0.1:${server.port}/healthz`
      const failed = await get(url)
      expect(failed.status).toBe(500)
      expect(failed.body).not.toContain('exploded')
      expect(logs).toContainEqual(
        expect.objectContaining({
          level: 'error',
          event: 'http:handler-error',
          message: 'peer table exploded'
        })
      )
      failing = false
      const ok = await get(url)
      expect(ok.status).toBe(200)
      expect(JSON.parse(ok.body)).toMatchObject({ ok: true, peers: 3 })
    } finally {
      await server.close()
    }
  })
})
