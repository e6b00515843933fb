import type { IncomingMessage, ServerResponse } from 'node:http'
import { performance } from 'node:perf_hooks'
import type { RelayLogger } from '../log.js'
import { errorMessage } from '../log.js'
import { isLoopbackAddress } from '../lan.js'
import type { BootstrapDocument } from './bootstrap.js'
import { bootstrapAddresses, hostnameOf } from './bootstrap.js'
import { handleGoodbye } from './goodbye.js'
import { lingerOnClose } from './linger.js'
import { parseRequestTarget } from './request-target.js'
import { sendError, sendJson } from './respond.js'
import { findPwaDir, serveStatic } from './static.js'

/** What the web server needs from the relay. */
export interface SiteComponents {
  peerId: string
  /** The relay's current multiaddrs, with /p2p/. */
  addresses(): string[]
  /** How many peers the relay currently knows to be up. */
  peerCount(): number
  /** A signed 'leaving' record delivered by beacon (`POST /bye`). */
  goodbye: (envelope: Uint8Array) => Promise<void>
  /** Candidate PWA directories, first existing wins; looked up per request so a build made later is served. */
  pwaDirs: readonly string[]
  log: RelayLogger
}

/** `GET /healthz`. */
export interface HealthDocument {
  ok: true
  peerId: string
  peers: number
  uptimeMs: number
}

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void

// POST is accepted on /bye only (handled before this check).
const ALLOW = 'GET, HEAD'

export function createRequestHandler(site: SiteComponents): RequestHandler {
  const startedAt = performance.now()

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method === 'POST' && req.url === '/bye') return handleGoodbye(req, res, site.goodbye)
    if (hasBody(req)) {
      // Bodies are never read. Closing after the answer (a lingering close) means at most
      // what is already in flight is discarded, instead of draining a huge body to reach
      // the next request on this connection.
      res.setHeader('Connection', 'close')
      lingerOnClose(req.socket)
    }
    const target = parseRequestTarget(req.url)
    if (!target.ok && target.code === 'URL_TOO_LONG') return sendError(res, 414, 'URI Too Long')
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendError(res, 405, 'Method Not Allowed', { Allow: ALLOW })
    }
    if (!target.ok) return sendError(res, target.status, `Bad Request: ${target.reason}`)

    switch (target.pathname) {
      case '/bootstrap.json': {
        const body: BootstrapDocument = {
          peerId: site.peerId,
          addresses: bootstrapAddresses(site.addresses(), {
            hostname: hostnameOf(req.headers.host),
            fromLoopback: isLoopbackAddress(req.socket.remoteAddress ?? '')
          })
        }
        return sendJson(res, 200, body, { 'Cache-Control': 'no-store', 'Access-Control-Allow-Origin': '*' })
      }
      case '/healthz': {
        const body: HealthDocument = {
          ok: true,
          peerId: site.peerId,
          peers: site.peerCount(),
          uptimeMs: Math.round(performance.now() - startedAt)
        }
        return sendJson(res, 200, body, { 'Cache-Control': 'no-store', 'Access-Control-Allow-Origin': '*' })
      }
      default:
        return serveStatic(req, res, {
          segments: target.segments,
          root: await findPwaDir(site.pwaDirs),
          searched: site.pwaDirs,
          log: site.log
        })
    }
  }

  return (req, res) => {
    route(req, res).catch((err: unknown) => {
      site.log({
        level: 'error',
        event: 'http:handler-error',
        message: errorMessage(err),
        fields: { url: (req.url ?? '').slice(0, 200) }
      })
      if (!res.headersSent) sendError(res, 500, 'Internal Server Error')
      else res.destroy()
    })
  }
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length']
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')
}
