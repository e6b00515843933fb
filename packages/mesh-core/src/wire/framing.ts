import { LengthPrefixedDecoder } from '@libp2p/utils'
import * as varint from 'uint8-varint'
import type { Uint8ArrayList } from 'uint8arraylist'
import { TooLargeError } from '../errors.ts'

const FRAME_BUFFER_SLACK = 1_048_576
/** Chunks go to the decoder in slices this big, so only an incomplete frame counts against the buffer limit. */
const SLICE_BYTES = 65_536

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
      // A write that coalesced thousands of small frames can be larger than the buffer
      // limit; slicing keeps that limit about incomplete frames, not about honest bursts.
      const bytes = chunk instanceof Uint8Array ? chunk : chunk.subarray()
      for (let at = 0; at < bytes.byteLength; at += SLICE_BYTES) {
        for (const frame of this.decoder.decode(bytes.subarray(at, at + SLICE_BYTES))) yield frame.subarray()
      }
    } catch (err) {
      const name = (err as Error).name
      if (name === 'InvalidMessageLengthError' || name === 'InvalidParametersError') {
        throw new TooLargeError(`frame larger than ${this.maxFrameBytes} bytes`)
      }
      throw err
    }
  }
}
