import type { Stream, StreamMessageEvent } from '@libp2p/interface'
import { CHANNEL_CLOSE_TIMEOUT_MS } from '../constants.ts'
import { TooLargeError } from '../errors.ts'
import { decodeCbor, encodeCbor } from './cbor.ts'
import { FrameDecoder, encodeFrame } from './framing.ts'

export interface FramedChannelInit {
  maxFrameBytes: number
  /** Called with each decoded, not yet validated, frame. */
  onFrame(value: unknown): void
  /** A frame that could not be decoded: the stream has been reset. */
  onBadFrame(err: Error): void
  onClose(err?: Error): void
}

/**
 * Length-prefixed CBOR frames over one long-lived libp2p stream. Frames written in
 * the same tick are coalesced into one write (DESIGN.md: fewer writes under load).
 */
export class FramedChannel {
  readonly stream: Stream
  private readonly init: FramedChannelInit
  private readonly decoder: FrameDecoder
  private pending: Uint8Array[] = []
  private pendingBytes = 0
  private flushScheduled = false
  private closed = false

  constructor(stream: Stream, init: FramedChannelInit) {
    this.stream = stream
    this.init = init
    this.decoder = new FrameDecoder(init.maxFrameBytes)
    stream.addEventListener('message', this.onMessage)
    stream.addEventListener('close', this.onStreamClose)
  }

  get isOpen(): boolean {
    return !this.closed && this.stream.status === 'open' && this.stream.writeStatus === 'writable'
  }

  /** Queue one value. Throws `TooLargeError` when its frame exceeds the limit. */
  send(value: unknown): void {
    const payload = encodeCbor(value)
    if (payload.byteLength > this.init.maxFrameBytes) {
      throw new TooLargeError(
        `message is ${payload.byteLength} bytes, the limit is ${this.init.maxFrameBytes}`
      )
    }
    const frame = encodeFrame(payload)
    this.pending.push(frame)
    this.pendingBytes += frame.byteLength
    if (!this.flushScheduled) {
      this.flushScheduled = true
      queueMicrotask(this.flush)
    }
  }

  /** Write one value at once, bypassing coalescing (for goodbyes on teardown). */
  sendNow(value: unknown): void {
    this.send(value)
    this.flush()
  }

  private readonly flush = (): void => {
    this.flushScheduled = false
    if (this.pending.length === 0 || !this.isOpen) {
      this.pending = []
      this.pendingBytes = 0
      return
    }
    let chunk: Uint8Array
    if (this.pending.length === 1) {
      chunk = this.pending[0] as Uint8Array
    } else {
      chunk = new Uint8Array(this.pendingBytes)
      let at = 0
      for (const f of this.pending) {
        chunk.set(f, at)
        at += f.byteLength
      }
    }
    this.pending = []
    this.pendingBytes = 0
    try {
      this.stream.send(chunk)
    } catch (err) {
      this.shutdown(err as Error)
    }
  }

  private readonly onMessage = (evt: StreamMessageEvent): void => {
    if (this.closed) return
    try {
      for (const frame of this.decoder.push(evt.data)) {
        const value = decodeCbor(frame)
        this.init.onFrame(value)
        if (this.closed) return
      }
    } catch (err) {
      this.stream.abort(err as Error)
      this.init.onBadFrame(err as Error)
      this.shutdown(err as Error)
    }
  }

  private readonly onStreamClose = (evt: Event): void => {
    const err = (evt as Event & { error?: Error }).error
    this.shutdown(err)
  }

  private shutdown(err?: Error): void {
    if (this.closed) return
    this.closed = true
    this.stream.removeEventListener('message', this.onMessage)
    this.stream.removeEventListener('close', this.onStreamClose)
    this.init.onClose(err)
  }

  /**
   * Close gracefully after what is queued has been written, or reset the stream when the
   * peer does not let that finish within `timeoutMs` (a dead link never acknowledges).
   */
  async close(timeoutMs = CHANNEL_CLOSE_TIMEOUT_MS): Promise<void> {
    this.flush()
    this.shutdown()
    const signal = AbortSignal.timeout(timeoutMs)
    let onAbort = (): void => {}
    const expired = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason as Error)
      signal.addEventListener('abort', onAbort, { once: true })
    })
    try {
      // The stream honours the signal while it waits; the race bounds it even if it does not.
      await Promise.race([this.stream.close({ signal }), expired])
    } catch {
      this.stream.abort(new Error('channel closed'))
    } finally {
      signal.removeEventListener('abort', onAbort)
    }
  }

  abort(err: Error): void {
    this.shutdown(err)
    this.stream.abort(err)
  }
}
