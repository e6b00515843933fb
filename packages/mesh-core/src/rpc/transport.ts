import type { Connection, Stream } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'
import { RPC_PROTOCOL } from '../constants.ts'
import { PeerLostError } from '../errors.ts'
import { bestConnection } from '../membership/link.ts'
import { FramedChannel } from '../wire/channel.ts'

/** One ordered, reliable pipe of frames to a peer (a libp2p stream, or a simulated one). */
export interface Channel {
  readonly isOpen: boolean
  /** Queue a frame; throws `TooLargeError` when it exceeds the frame limit. */
  send(value: unknown): void
  /** Write a frame at once (goodbyes on teardown). */
  sendNow(value: unknown): void
  close(): Promise<void>
}

/** What a channel reports; the RPC layer supplies these when a channel is made. */
export interface ChannelEvents {
  /** A decoded, not yet validated, frame. */
  onFrame(value: unknown): void
  /** A frame that could not be decoded: the channel has been reset. */
  onBadFrame(err: Error): void
  onClose(err?: Error): void
}

/** Makes the channel once the RPC layer has its event handlers ready. */
export type MakeChannel = (events: ChannelEvents) => Channel

/**
 * Where RPC channels come from. The RPC layer never touches libp2p directly, so the
 * same actor and task code runs over a simulated network in the tests.
 */
export interface RpcTransport {
  /** Accept channels that peers open to us. */
  listen(accept: (peer: string, make: MakeChannel) => void): Promise<void>
  /** Open a channel to `peer` over a direct (unlimited) link. */
  open(peer: string, signal: AbortSignal): Promise<MakeChannel>
}

export interface Libp2pTransportInit {
  libp2p: Libp2p
  maxMessageBytes: number
  /** Dial a peer we have no unlimited connection to (by its advertised addresses). */
  dial(peer: string, signal: AbortSignal): Promise<void>
}

/**
 * `/mesh/rpc/1.0.0` streams. Never over a relayed (limited) connection: work moves over
 * direct links only.
 */
export function libp2pTransport(init: Libp2pTransportInit): RpcTransport {
  const { libp2p, maxMessageBytes } = init
  const wrap =
    (stream: Stream): MakeChannel =>
    (events) =>
      new FramedChannel(stream, { maxFrameBytes: maxMessageBytes, ...events })
  const direct = (peer: string): Connection[] =>
    libp2p
      .getConnections()
      .filter((c) => c.remotePeer.toString() === peer && c.status === 'open' && c.limits === undefined)
  return {
    async listen(accept) {
      await libp2p.handle(
        RPC_PROTOCOL,
        (stream, connection) => accept(connection.remotePeer.toString(), wrap(stream)),
        {
          runOnLimitedConnection: false,
          maxInboundStreams: 32
        }
      )
    },
    async open(peer, signal) {
      const failures: string[] = []
      // Twice at most: the connections we hold may all be closing; then dial a fresh one.
      for (let round = 0; round < 2; round++) {
        if (direct(peer).length === 0 || round > 0) {
          try {
            await init.dial(peer, signal)
          } catch (err) {
            if (signal.aborted || round === 0) throw err
            failures.push(`redial: ${(err as Error).message}`)
            break
          }
        }
        let candidates = direct(peer)
        while (candidates.length > 0) {
          const conn = bestConnection(candidates, { allowLimited: false })
          if (conn === undefined) break
          try {
            return wrap(await conn.newStream(RPC_PROTOCOL, { signal }))
          } catch (err) {
            if (signal.aborted) throw err
            // A connection that cannot open a stream is likely dead; try the next one.
            failures.push(`${conn.remoteAddr.toString()}: ${(err as Error).message}`)
            candidates = candidates.filter((c) => c !== conn)
          }
        }
        if (failures.length === 0) break
      }
      throw new PeerLostError(
        `no direct connection to ${peer}${failures.length > 0 ? ` (${failures.join('; ')})` : ''}`
      )
    }
  }
}
