import type { Socket } from 'node:net'
import { LINGER_MAX_BYTES, LINGER_MS } from '../constants.js'

/**
 * Makes the close after a `Connection: close` answer a lingering close. Node closes the
 * socket as soon as the answer is flushed; if the client is still sending a body we never
 * read, that close is a reset, and a reset can make the client's kernel drop our answer
 * before the client has read it. Instead: send FIN after the answer, and discard what
 * still arrives until the client closes. Past `LINGER_MAX_BYTES` the client is not
 * listening; reading stops (TCP flow control holds it, at no cost to us) and the socket
 * is closed once `LINGER_MS` have passed, time enough to read the answer. Nothing is
 * buffered beyond the kernel's socket buffers.
 */
export function lingerOnClose(socket: Socket): void {
  socket.destroySoon = () => {
    if (socket.writable) socket.end()
    let discarded = 0
    const timer = setTimeout(() => socket.destroy(), LINGER_MS)
    socket.on('data', (chunk: Buffer) => {
      discarded += chunk.byteLength
      if (discarded > LINGER_MAX_BYTES) socket.pause()
    })
    socket.once('close', () => clearTimeout(timer))
  }
}
