import { open, realpath, stat } from 'node:fs/promises'
import type { Stats } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, join, sep } from 'node:path'
import { pipeline } from 'node:stream'
import { IMMUTABLE_CACHE_CONTROL } from '../constants.js'
import type { RelayLogger } from '../log.js'
import { errorMessage } from '../log.js'
import { contentTypeFor } from './content-types.js'
import { notBuiltPage } from './not-built.js'
import { BASE_HEADERS, send, sendError } from './respond.js'

const INDEX = 'index.html'
/** Served fresh on every load, so a new build (and a new service worker) is picked up. */
const NO_CACHE_FILES = new Set([INDEX, 'sw.js'])

/** Finds the directory of the built PWA: the first candidate holding an index.html. */
export async function findPwaDir(candidates: readonly string[]): Promise<string | undefined> {
  for (const dir of candidates) {
    const index = await statOrUndefined(join(dir, INDEX))
    // Resolved, so that containment checks below compare real paths.
    if (index?.isFile() === true) return realpath(dir)
  }
  return undefined
}

export interface StaticRequest {
  segments: readonly string[]
  /** Directory holding the PWA, a real path, or undefined when none is built. */
  root: string | undefined
  /** Where a PWA was looked for, for the not-built page. */
  searched: readonly string[]
  log: RelayLogger
}

/**
 * Serves a file of the PWA. A path with no extension that names no file is an app route
 * and gets index.html (the SPA fallback); a missing file with an extension is a 404.
 */
export async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  r: StaticRequest
): Promise<void> {
  const last = r.segments.at(-1) ?? ''
  const isRoute = extname(last) === ''
  if (r.root === undefined) {
    if (!isRoute) return sendError(res, 404, 'Not Found')
    return send(res, 503, notBuiltPage(r.searched), {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store'
    })
  }
  // Dotfiles are never part of a build; refusing them keeps stray .env files private.
  if (r.segments.some((s) => s.startsWith('.'))) return sendError(res, 404, 'Not Found')

  let file = join(r.root, ...r.segments)
  let stats = await statOrUndefined(file)
  if (stats?.isDirectory() === true) {
    file = join(file, INDEX)
    stats = await statOrUndefined(file)
  }
  if (stats?.isFile() !== true) {
    if (!isRoute) return sendError(res, 404, 'Not Found')
    file = join(r.root, INDEX)
  }
  // A symlink inside the build must not lead outside it.
  const real = await realpath(file).catch(() => undefined)
  if (real === undefined || !real.startsWith(r.root + sep)) return sendError(res, 404, 'Not Found')
  await sendFile(req, res, real, cacheControl(r.segments, real), r.log)
}

function cacheControl(segments: readonly string[], file: string): string {
  const name = file.slice(file.lastIndexOf(sep) + 1)
  if (NO_CACHE_FILES.has(name)) return 'no-cache'
  if (segments[0] === 'assets' && segments.length > 1) return IMMUTABLE_CACHE_CONTROL
  return 'no-cache'
}

async function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  file: string,
  cache: string,
  log: RelayLogger
): Promise<void> {
  // Open first and stat the handle, so the headers describe the bytes actually sent.
  const handle = await open(file, 'r').catch(() => undefined)
  if (handle === undefined) return sendError(res, 404, 'Not Found')
  let stats: Stats
  try {
    stats = await handle.stat()
  } catch (err) {
    await handle.close()
    throw err
  }
  const etag = `W/"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`
  const headers = {
    ...BASE_HEADERS,
    'Content-Type': contentTypeFor(file),
    'Cache-Control': cache,
    ETag: etag,
    'Last-Modified': stats.mtime.toUTCString()
  }
  if (matchesEtag(req.headers['if-none-match'], etag)) {
    await handle.close()
    res.writeHead(304, headers)
    res.end()
    return
  }
  res.writeHead(200, { ...headers, 'Content-Length': stats.size })
  if (req.method === 'HEAD') {
    await handle.close()
    res.end()
    return
  }
  pipeline(handle.createReadStream(), res, (err) => {
    // A client going away mid-download is routine, not an error of ours.
    if (err !== undefined && err !== null && err.code !== 'ERR_STREAM_PREMATURE_CLOSE') {
      log({ level: 'warn', event: 'http:file-error', message: errorMessage(err), fields: { file } })
    }
  })
}

function matchesEtag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  return header.trim() === '*' || header.split(',').some((tag) => tag.trim() === etag)
}

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  return stat(path).catch(() => undefined)
}
