/** What `LineSplitter` hands on: a whole line, or the start of one that was too long. */
export type LineEvent = { kind: 'line'; bytes: Buffer } | { kind: 'oversized'; head: Buffer; bytes: number }

const NEWLINE = 0x0a
const RETURN = 0x0d
/** How much of an oversized line is kept, for the log. */
const headBytes = 256

/**
 * Splits a byte stream into lines of at most `maxLineBytes` (newline excluded), without
 * ever buffering more than that: the rest of an oversized line is counted and dropped.
 * Splitting bytes rather than strings keeps a multi-byte character that spans two
 * chunks intact, and lets the caller tell binary from text per line.
 */
export class LineSplitter {
  private parts: Buffer[] = []
  private size = 0
  private dropping: { head: Buffer; bytes: number } | undefined

  constructor(
    private readonly maxLineBytes: number,
    private readonly emit: (event: LineEvent) => void
  ) {}

  push(chunk: Buffer): void {
    let start = 0
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start)
      const end = newline === -1 ? chunk.length : newline
      this.append(chunk.subarray(start, end))
      if (newline === -1) return
      this.flush()
      start = newline + 1
    }
  }

  /** The stream ended: a last line without a newline still counts. */
  end(): void {
    if (this.size > 0 || this.dropping !== undefined) this.flush()
  }

  private append(piece: Buffer): void {
    if (piece.length === 0) return
    if (this.dropping !== undefined) {
      this.dropping.bytes += piece.length
      return
    }
    if (this.size + piece.length > this.maxLineBytes) {
      const head = Buffer.concat([...this.parts, piece.subarray(0, headBytes)]).subarray(0, headBytes)
      this.dropping = { head, bytes: this.size + piece.length }
      this.parts = []
      this.size = 0
      return
    }
    this.parts.push(piece)
    this.size += piece.length
  }

  private flush(): void {
    if (this.dropping !== undefined) {
      const { head, bytes } = this.dropping
      this.dropping = undefined
      this.emit({ kind: 'oversized', head, bytes })
      return
    }
    let bytes =
      this.parts.length === 1 && this.parts[0] !== undefined ? this.parts[0] : Buffer.concat(this.parts)
    this.parts = []
    this.size = 0
    if (bytes.at(-1) === RETURN) bytes = bytes.subarray(0, -1)
    this.emit({ kind: 'line', bytes })
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Decode a line as strict UTF-8; `undefined` for bytes that are not (binary). */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes)
  } catch {
    return undefined
  }
}
