import { LengthPrefixedDecoder } from '@libp2p/utils'
import * as varint from 'uint8-varint'
import type { Uint8ArrayList } from 'uint8arraylist'
import { TooLargeError } from '../errors.ts'

const FRAME_BUFFER_SLACK = 1_048_576

/** Prefix one frame with its unsigned-varint length. */
export function encodeFrame(payload: Uint8Array): Uint8Array {
  const len = varint.encodingLength(payload.byteLength)
  const out = new Uint8Array(len + payload.byteLength)
  varint.encode(payload.byteLength, out)
  out.set(payload, len)
  return out
}

/**
 * Splits a byte stream into varint-length-prefixed frames. A frame larger than
 * `maxFrameBytes` throws `TooLargeError` before its body is buffered.
 */
export class FrameDecoder {
  private readonly decoder: LengthPrefixedDecoder
  private readonly maxFrameBytes: number

  constructor(maxFrameBytes: number) {
    this.maxFrameBytes = maxFrameBytes
    this.decoder = new LengthPrefixedDecoder({
      maxDataLength: maxFrameBytes,
      // A chunk can carry many small frames at once; the slack bounds what one peer can
      // make us hold while a frame is incomplete.
      maxBufferSize: maxFrameBytes + FRAME_BUFFER_SLACK
    })
  }

  *push(chunk: Uint8Array | Uint8ArrayList): Generator<Uint8Array> {
    try {
      for (const frame of this.decoder.decode(chunk)) yield frame.subarray()
    } catch (err) {
      const name = (err as Error).name
      if (name === 'InvalidMessageLengthError' || name === 'InvalidParametersError') {
        throw new TooLargeError(`frame larger than ${this.maxFrameBytes} bytes`)
      }
      throw err
    }
  }
}
