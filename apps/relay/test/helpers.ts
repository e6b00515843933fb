import { mkdtemp, rm } from 'node:fs/promises'
import type { IncomingHttpHeaders } from 'node:http'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Relay, RelayInit, RelayLogEntry } from '../src/index.js'
import { createRelay } from '../src/index.js'

/** A temporary directory, removed on dispose. */
export interface TempDir extends AsyncDisposable {
  path: string
}

export async function tempDir(prefix = 'mesh-relay-test-'): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix))
  return {
    path,
    [Symbol.asyncDispose]: () => rm(path, { recursive: true, force: true })
  }
}

export interface TestRelay extends Relay, AsyncDisposable {
  /** Log entries the relay produced. */
  logs: RelayLogEntry[]
}

/** A relay on ephemeral ports, on loopback only, closed on dispose. */
export async function startRelay(init: RelayInit): Promise<TestRelay> {
  const logs: RelayLogEntry[] = []
  const relay = await createRelay({ port: 0, host: '127.0.0.1', logger: (e) => logs.push(e), ...init })
  return {
    mesh: relay.mesh,
    peerId: relay.peerId,
    get addresses() {
      return relay.addresses
    },
    url: relay.url,
    lanUrls: relay.lanUrls,
    close: () => relay.close(),
    logs,
    [Symbol.asyncDispose]: () => relay.close()
  }
}

export interface HttpResult {
  status: number
  headers: IncomingHttpHeaders
  body: string
}

export interface GetOptions {
  method?: string
  headers?: Record<string, string>
}

/** One request on a fresh connection; self-signed certificates are accepted. */
export async function get(url: string, options: GetOptions = {}): Promise<HttpResult> {
  const target = new URL(url)
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        method: options.method ?? 'GET',
        headers: options.headers ?? {},
        agent: false,
        rejectUnauthorized: false
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString()
          })
        )
        res.on('error', reject)
      }
    )
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer from ${url} within 10 s`)))
    req.on('error', reject)
    req.end()
  })
}

export async function getJson(
  url: string
): Promise<{ status: number; headers: IncomingHttpHeaders; json: unknown }> {
  const res = await get(url)
  return { status: res.status, headers: res.headers, json: JSON.parse(res.body) as unknown }
}

export interface RawResult {
  /** Everything the server sent, as latin1. */
  response: string
  /** The status code of the first response line, or 0 if there was none. */
  status: number
  /** Whether the server closed the connection (rather than our deadline ending it). */
  closedByServer: boolean
}

/**
 * Writes raw bytes to the server and collects what comes back until the server closes
 * the connection or `deadlineMs` passes. Tests use it for requests no client library sends.
 */
export async function rawRequest(
  port: number,
  chunks: readonly (string | Buffer)[],
  { deadlineMs = 10_000, endAfterWrite = false } = {}
): Promise<RawResult> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port })
    const received: Buffer[] = []
    let closedByServer = false
    const timer = setTimeout(() => socket.destroy(), deadlineMs)
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk)
      if (endAfterWrite) socket.end()
    })
    socket.on('data', (chunk: Buffer) => received.push(chunk))
    socket.on('end', () => {
      closedByServer = true
      socket.end()
    })
    // A server that closes with unread data in its buffer resets; that is still a close.
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') closedByServer = true
      else reject(err)
    })
    socket.on('close', () => {
      clearTimeout(timer)
      const response = Buffer.concat(received).toString('latin1')
      const match = /^HTTP\/1\.1 (\d{3})/.exec(response)
      resolve({ response, status: match?.[1] === undefined ? 0 : Number(match[1]), closedByServer })
    })
  })
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  { timeoutMs = 10_000, intervalMs = 25 } = {}
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}

/** Whether the body parses as the relay's health document for `peerId`. */
export function isHealthy(body: string, peerId: string): boolean {
  const value = JSON.parse(body) as { ok?: unknown; peerId?: unknown }
  return value.ok === true && value.peerId === peerId
}
