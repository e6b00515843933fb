// @chainsafe/as-chacha20poly1305 for the mesh-bridge bundle (rolldown.config.ts), on
// node:crypto. @libp2p/noise compiles that WebAssembly module when it is imported and uses
// it for frames under 1200 bytes; on a bridge the wasm code, its memory and the compiler
// tiers it wakes cost MBs that node:crypto (OpenSSL, already in the binary) does not.
// Only what noise uses: newInstance() and ChaCha20Poly1305's seal and open.
import { createCipheriv, createDecipheriv } from 'node:crypto'

const ALGORITHM = 'chacha20-poly1305'
const TAG_LENGTH = 16

/** The WebAssembly context in the original; nothing to set up here. */
export type WasmContext = Record<string, never>
export const newInstance = (): WasmContext => ({})

/** `out` when the result fits in it (as the original writes into `dst`), else `bytes` itself. */
function into(bytes: Uint8Array, out: Uint8Array | undefined): Uint8Array {
  if (out === undefined || out.length < bytes.length) return bytes
  out.set(bytes)
  return out.subarray(0, bytes.length)
}

export class ChaCha20Poly1305 {
  constructor(_ctx?: WasmContext) {}

  /** `plaintext` encrypted, then its 16-byte tag. */
  seal(
    key: Uint8Array,
    nonce: Uint8Array,
    plaintext: Uint8Array,
    ad?: Uint8Array,
    dst?: Uint8Array
  ): Uint8Array {
    const cipher = createCipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_LENGTH })
    if (ad !== undefined) cipher.setAAD(ad, { plaintextLength: plaintext.length })
    const body = cipher.update(plaintext)
    const final = cipher.final()
    return into(Buffer.concat([body, final, cipher.getAuthTag()]), dst)
  }

  /** The plaintext, or null when the tag does not match (as the original). */
  open(
    key: Uint8Array,
    nonce: Uint8Array,
    sealed: Uint8Array,
    ad?: Uint8Array,
    dst?: Uint8Array
  ): Uint8Array | null {
    if (sealed.length < TAG_LENGTH) return null
    const end = sealed.length - TAG_LENGTH
    const decipher = createDecipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_LENGTH })
    if (ad !== undefined) decipher.setAAD(ad, { plaintextLength: end })
    decipher.setAuthTag(sealed.subarray(end))
    const body = decipher.update(sealed.subarray(0, end))
    try {
      // A stream cipher: final() only checks the tag and adds no bytes.
      decipher.final()
    } catch {
      return null
    }
    return into(body, dst)
  }
}
