import type { OutgoingHttpHeaders, ServerResponse } from 'node:http'

/** Headers on every response: the relay serves an app, never content to be sniffed. */
export const BASE_HEADERS: Readonly<OutgoingHttpHeaders> = {
  'X-Content-Type-Options': 'nosniff'
}

/** Sends a complete body (omitted for HEAD, with the same Content-Length). */
export function send(
  res: ServerResponse,
  status: number,
  body: string | Buffer,
  headers: OutgoingHttpHeaders
): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body
  res.writeHead(status, { ...BASE_HEADERS, ...headers, 'Content-Length': bytes.byteLength })
  res.end(res.req.method === 'HEAD' ? undefined : bytes)
}

export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: OutgoingHttpHeaders = {}
): void {
  send(res, status, JSON.stringify(value), { 'Content-Type': 'application/json; charset=utf-8', ...headers })
}

/**
 * A short plain-text error; errors are never cached. After a malformed request the
 * connection is closed: whatever follows on it cannot be trusted to be a request.
 */
export function sendError(
  res: ServerResponse,
  status: number,
  reason: string,
  headers: OutgoingHttpHeaders = {}
): void {
  send(res, status, `${reason}\n`, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-store',
    ...(status === 404 ? {} : { Connection: 'close' }),
    ...headers
  })
}
