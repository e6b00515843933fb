import type { IncomingMessage, ServerResponse } from 'node:http'
import { sendError } from './respond.js'

/** A signed peer record is at most 16 KiB (docs/PROTOCOL.md). */
export const MAX_GOODBYE_BYTES = 16_384

/**
 * `POST /bye`: a page that is closing hands the relay its pre-signed 'leaving' record
 * with `navigator.sendBeacon`, the one request a browser promises to send during
 * unload. The record is self-authenticating (signed by the leaving peer), so anyone may
 * deliver it; the relay spreads the goodbye to the mesh.
 */
export async function handleGoodbye(
  req: IncomingMessage,
  res: ServerResponse,
  accept: (envelope: Uint8Array) => Promise<void>
): Promise<void> {
  const declared = Number(req.headers['content-length'] ?? Number.NaN)
  if (Number.isFinite(declared) && declared > MAX_GOODBYE_BYTES) {
    res.setHeader('Connection', 'close')
    return sendError(res, 413, 'Payload Too Large')
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.byteLength
    if (size > MAX_GOODBYE_BYTES) {
      res.setHeader('Connection', 'close')
      return sendError(res, 413, 'Payload Too Large')
    }
    chunks.push(chunk)
  }
  try {
    await accept(new Uint8Array(Buffer.concat(chunks)))
  } catch (err) {
    return sendError(res, 400, `Bad Request: ${(err as Error).message}`.slice(0, 200))
  }
  res.writeHead(204, { 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'no-store' })
  res.end()
}
