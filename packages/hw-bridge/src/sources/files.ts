import { readFile, readdir, readlink, stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { SourceLog } from '../source.ts'

/** A path under the source's root: `under('/tmp/fake', 'sys/class/thermal')`. */
export function under(root: string, ...parts: string[]): string {
  return join(root, ...parts)
}

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : 'UNKNOWN'
}

/** A file read's outcome. */
export type FileResult =
  { state: 'ok'; text: string } | { state: 'absent' } | { state: 'unreadable'; code: string }

/** Codes that mean "not there", which is normal for optional sysfs attributes. */
const absentCodes = new Set(['ENOENT', 'ENOTDIR'])

/**
 * Reads sysfs/procfs files for one source and reports each broken file once: a zone whose
 * `temp` answers EIO on every poll must not flood the log. A file that reads fine again is
 * forgotten, so a later breakage is reported again.
 */
export class FileReader {
  private readonly reported = new Set<string>()

  constructor(
    private readonly source: string,
    private readonly log: SourceLog
  ) {}

  /** Logs `problem` for `path` unless it was already logged since the file last read fine. */
  problem(path: string, problem: string, fields: Record<string, unknown> = {}): void {
    const key = `${path}\0${problem}`
    if (this.reported.has(key)) return
    this.reported.add(key)
    this.log('warn', `${this.source}: ${problem}`, { source: this.source, path, ...fields })
  }

  /** Forgets the problems logged for `path` whose text starts with `prefix`, so a new breakage is logged again. */
  fixed(path: string, prefix = ''): void {
    if (this.reported.size === 0) return
    for (const key of this.reported) if (key.startsWith(`${path}\0${prefix}`)) this.reported.delete(key)
  }

  /** Reads a file, telling apart absent (normal for optional attributes) from unreadable (logged once). */
  async attempt(path: string, signal?: AbortSignal): Promise<FileResult> {
    try {
      const text = await readFile(
        path,
        signal === undefined ? { encoding: 'utf8' } : { encoding: 'utf8', signal }
      )
      this.fixed(path, 'cannot read')
      return { state: 'ok', text: text.trim() }
    } catch (err) {
      if (signal?.aborted === true) throw err
      const code = errorCode(err)
      if (absentCodes.has(code)) return { state: 'absent' }
      this.problem(path, `cannot read (${code})`, { code })
      return { state: 'unreadable', code }
    }
  }

  /** The file's text, trimmed; `undefined` when absent (silently) or unreadable (logged once). */
  async text(path: string, signal?: AbortSignal): Promise<string | undefined> {
    const result = await this.attempt(path, signal)
    return result.state === 'ok' ? result.text : undefined
  }

  /** The file as one finite number; garbage is logged once and gives `undefined`. */
  async number(path: string, signal?: AbortSignal): Promise<number | undefined> {
    const text = await this.text(path, signal)
    return text === undefined ? undefined : this.numberIn(path, text)
  }

  /** `text`, read from `path`, as a number; garbage is logged once and gives `undefined`. */
  numberIn(path: string, text: string): number | undefined {
    const value = parseNumber(text)
    if (value === undefined) this.problem(path, 'not a number', { excerpt: text.slice(0, 40) })
    else this.fixed(path, 'not a number')
    return value
  }

  /** Entry names of a directory, sorted naturally (`video2` before `video10`); `[]` when absent. */
  async list(path: string): Promise<string[]> {
    try {
      const names = await readdir(path)
      this.fixed(path, 'cannot list')
      return names.sort(naturalCompare)
    } catch (err) {
      const code = errorCode(err)
      if (!absentCodes.has(code)) this.problem(path, `cannot list (${code})`, { code })
      return []
    }
  }

  /** Whether the path exists (following symlinks, as sysfs class entries are links). */
  async exists(path: string): Promise<boolean> {
    try {
      await stat(path)
      return true
    } catch {
      return false
    }
  }

  /** The last component of a symlink's target, e.g. a device's `driver` link; `undefined` if not a link. */
  async linkName(path: string): Promise<string | undefined> {
    try {
      return basename(await readlink(path))
    } catch {
      return undefined
    }
  }
}

const numberPattern = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i

/** A decimal number as sysfs prints it; anything else (empty, `N/A`, `0x1f`, two values) is `undefined`. */
export function parseNumber(text: string): number | undefined {
  const t = text.trim()
  if (!numberPattern.test(t)) return undefined
  const value = Number(t)
  return Number.isFinite(value) ? value : undefined
}

const chunks = /\d+|\D+/g

/**
 * Orders sysfs names as a person would: `video2` before `video10`, `iio:device0` before
 * `iio:device1`. Runs of digits compare by value, the rest by UTF-16 code unit, and equal
 * values (`01` and `1`) fall back to the plain order, so the order is total. Not
 * Intl.Collator: its collation data costs an idle bridge over 2 MB of ICU pages.
 */
export function naturalCompare(a: string, b: string): number {
  const as = a.match(chunks) ?? []
  const bs = b.match(chunks) ?? []
  for (let i = 0; i < Math.min(as.length, bs.length); i++) {
    const x = as[i] as string
    const y = bs[i] as string
    if (x === y) continue
    const numeric = isDigit(x) && isDigit(y)
    const order = numeric ? compareDigits(x, y) : compareUnits(x, y)
    if (order !== 0) return order
  }
  return as.length - bs.length || compareUnits(a, b)
}

const isDigit = (s: string): boolean => s.charCodeAt(0) >= 48 && s.charCodeAt(0) <= 57
const compareUnits = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0)

/** Two runs of digits by value, at any length (no Number overflow). */
function compareDigits(x: string, y: string): number {
  const u = x.replace(/^0+/, '')
  const v = y.replace(/^0+/, '')
  return u.length - v.length || compareUnits(u, v)
}

/** Makes a sysfs name safe inside a sensor id: `ucsi-source-psy-USBC000:001` stays, spaces and slashes do not. */
export function idPart(name: string): string {
  return name.replace(/[^A-Za-z0-9_:-]/g, '_').slice(0, 48) || '_'
}
