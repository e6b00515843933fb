import type { Server, ServerOptions } from 'node:http'
import { createServer as createHttpServer, STATUS_CODES } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import { CLOSE_GRACE_MS, TIMEOUT_CHECK_INTERVAL_MS } from '../constants.js'
import type { RelayLogger } from '../log.js'
import { errorMessage } from '../log.js'
import type { RequestHandler } from './handler.js'

export interface HttpTimeouts {
  headersTimeoutMs: number
  requestTimeoutMs: number
  keepAliveTimeoutMs: number
}

export interface WebServerInit {
  host: string
  port: number
  /** PEM strings; the server speaks HTTPS when given. */
  tls: { cert: string; key: string } | undefined
  timeouts: HttpTimeouts
  handler: RequestHandler
  log: RelayLogger
}

export interface WebServer {
  /** The port actually bound (resolves port 0). */
  readonly port: number
  close(): Promise<void>
}

/** Statuses for parser and timeout errors, answered on the raw socket as Node does by default. */
const CLIENT_ERROR_STATUS: Readonly<Record<string, number>> = {
  HPE_HEADER_OVERFLOW: 431,
  HPE_URI_TOO_LONG: 414,
  ERR_HTTP_REQUEST_TIMEOUT: 408
}

export async function startWebServer(init: WebServerInit): Promise<WebServer> {
  const options: ServerOptions = {
    headersTimeout: init.timeouts.headersTimeoutMs,
    requestTimeout: init.timeouts.requestTimeoutMs,
    keepAliveTimeout: init.timeouts.keepAliveTimeoutMs,
    connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS
  }
  const server: Server =
    init.tls === undefined
      ? createHttpServer(options, init.handler)
      : createHttpsServer({ ...options, cert: init.tls.cert, key: init.tls.key }, init.handler)

  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent: boolean } })._httpMessage
    if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent === true) {
      socket.destroy()
      return
    }
    init.log({ level: 'debug', event: 'http:client-error', message: errorMessage(err) })
    const status = CLIENT_ERROR_STATUS[err.code ?? ''] ?? 400
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
  })
  // Failed handshakes (a plain-HTTP client on the HTTPS port, an untrusting browser) are routine.
  server.on('tlsClientError', (err: Error) => {
    init.log({ level: 'debug', event: 'http:tls-error', message: errorMessage(err) })
  })

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => {
      server.off('listening', onListening)
      reject(err)
    }
    const onListening = (): void => {
      server.off('error', onError)
      resolve()
    }
    server.once('error', onError)
    server.once('listening', onListening)
    server.listen(init.port, init.host)
  })
  server.on('error', (err) => {
    init.log({ level: 'error', event: 'http:server-error', message: errorMessage(err) })
  })

  const port = (server.address() as AddressInfo).port
  let closing: Promise<void> | undefined
  return {
    port,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()))
        server.closeIdleConnections()
        // In-flight responses get a moment to finish; then connections are cut.
        const grace = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS)
        await closed
        clearTimeout(grace)
      })()
      return closing
    }
  }
}
