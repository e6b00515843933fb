import { MAX_URL_BYTES } from '../constants.js'

/** A request target that is safe to map onto the PWA directory. */
export interface ParsedTarget {
  ok: true
  /** The raw path, for routing: `/bootstrap.json`. */
  pathname: string
  /** Decoded path segments, none empty, `.`, `..`, or holding `/`, `\` or NUL. */
  segments: string[]
  /** Whether the path ended in `/`. */
  directory: boolean
}

export type TargetErrorCode = 'URL_TOO_LONG' | 'BAD_TARGET' | 'BAD_ENCODING' | 'TRAVERSAL'

export interface TargetError {
  ok: false
  code: TargetErrorCode
  status: 400 | 414
  reason: string
}

function fail(code: TargetErrorCode, reason: string): TargetError {
  return { ok: false, code, status: code === 'URL_TOO_LONG' ? 414 : 400, reason }
}

const ABSOLUTE_FORM = /^https?:\/\/[^/?#]*/i

/**
 * The one parser for request targets. It rejects anything that could name a file outside
 * the PWA directory in any spelling: `..` (raw or `%2e%2e`), backslashes (raw or `%5c`,
 * which Windows and some proxies treat as `/`), encoded slashes, NUL and control
 * characters, and malformed percent-encoding.
 */
export function parseRequestTarget(url: string | undefined): ParsedTarget | TargetError {
  if (url === undefined || url === '') return fail('BAD_TARGET', 'missing request target')
  // Node hands us the target as latin1, one char per byte.
  if (url.length > MAX_URL_BYTES) return fail('URL_TOO_LONG', `request target over ${MAX_URL_BYTES} bytes`)
  // Absolute form (`GET http://host/path`) is legal HTTP/1.1; only its path matters here.
  const target = url.replace(ABSOLUTE_FORM, '') || '/'
  if (!target.startsWith('/')) return fail('BAD_TARGET', 'request target is not a path')
  const end = target.search(/[?#]/)
  const pathname = end === -1 ? target : target.slice(0, end)
  if (pathname.includes('\\')) return fail('TRAVERSAL', 'backslash in path')
  const segments: string[] = []
  for (const raw of pathname.split('/').slice(1)) {
    let segment: string
    try {
      segment = decodeURIComponent(raw)
    } catch {
      return fail('BAD_ENCODING', 'malformed percent-encoding')
    }
    if (segment === '..' || segment === '.') return fail('TRAVERSAL', 'dot segment in path')
    if (/[/\\]/.test(segment)) return fail('TRAVERSAL', 'encoded separator in path')
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
    if (/[\u0000-\u001f\u007f]/.test(segment)) return fail('BAD_TARGET', 'control character in path')
    if (segment !== '') segments.push(segment)
  }
  return { ok: true, pathname, segments, directory: pathname.endsWith('/') }
}
