// Regression test for the private-to-private WebRTC dial race patched in
// patches/@libp2p+webrtc+6.0.33.patch: the recipient closes the initiator's 'init' data
// channel as soon as its side is up; if that close landed before the initiator's
// initiateConnection looked at the channel, the original code waited for an 'open' (then a
// 'close') that had already happened, and the dial hung until its signal aborted.
//
// Both ends are real node-datachannel peer connections (what @libp2p/webrtc uses in Node),
// signaling over an in-memory stream pair with the package's own protobuf codec. The one
// artificial piece is a gate on the initiator's RTCPeerConnection (see `gated` below) that
// forces the losing interleaving every time instead of 3 dials in 28.
import { generateKeyPair } from '@libp2p/crypto/keys'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { pbStream, streamPair } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { ComponentLogger, Logger, PeerId, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Uint8ArrayList } from 'uint8arraylist'

/**
 * How long the dial may take before it counts as hung: the test's only timeout. A good dial
 * takes ~15 ms here, or ~1 s when (in ~40% of runs) the DTLS handshake waits for its first
 * retransmission; the next one would come ~2 s later, so the bound sits above that.
 */
const DIAL_BOUND_MS = 5_000

// The package's exports map hides its internals (and their types), so they are reached by
// absolute path from the resolved entry point, dist/src/index.js, and typed by hand below.
const internal = (path: string): string => fileURLToPath(new URL(path, import.meta.resolve('@libp2p/webrtc')))

/** dist/src/webrtc/index.js: in Node, node-datachannel's polyfill. */
interface WebRtcModule {
  RTCPeerConnection: typeof RTCPeerConnection
  RTCSessionDescription: typeof RTCSessionDescription
  RTCIceCandidate: typeof RTCIceCandidate
}

/** The slice of dist/src/private-to-private/initiate-connection.js this test uses. */
interface InitiateConnectionModule {
  initiateConnection: (options: {
    multiaddr: Multiaddr
    connectionManager: {
      getConnections(peer: PeerId): Array<{ newStream(protocol: string): Promise<Stream> }>
    }
    transportManager: object
    log: Logger
    logger: ComponentLogger
    signal: AbortSignal
  }) => Promise<{ peerConnection: RTCPeerConnection }>
}

/** dist/src/private-to-private/pb/message.js: the signaling messages (protons enums are strings). */
interface SignalMessage {
  type?: 'SDP_OFFER' | 'SDP_ANSWER' | 'ICE_CANDIDATE'
  data?: string
}
interface MessageModule {
  Message: { encode(m: SignalMessage): Uint8Array; decode(b: Uint8Array | Uint8ArrayList): SignalMessage }
}

/** What the current test created: closed or aborted after each test. */
const made = {
  peers: [] as RTCPeerConnection[],
  streams: [] as Stream[],
  initiator: undefined as RTCPeerConnection | undefined,
  init: undefined as RTCDataChannel | undefined,
  /** The gate hid a real 'connected' from the initiator at least once. */
  heldBack: false
}

/**
 * The initiator's RTCPeerConnection, with one change: while its 'init' data channel is not
 * yet 'closed', `connectionState` says 'connecting' where the real state is 'connected', so
 * the 'connectionstatechange' to 'connected' reaches initiateConnection's
 * readCandidatesUntilConnected (which reads `connectionState` in its onconnectionstatechange
 * handler) as a no-op. When 'init' closes (the recipient closed it) the gate dispatches
 * 'connectionstatechange' again, now reading 'connected'. So initiateConnection always
 * learns it is connected after the recipient's close has fully landed: the interleaving
 * that hung real browser dials.
 */
function gated(Base: typeof RTCPeerConnection): typeof RTCPeerConnection {
  return class GatedPeerConnection extends Base {
    constructor(config?: RTCConfiguration) {
      super(config)
      made.peers.push(this)
      made.initiator = this
    }

    override get connectionState(): RTCPeerConnectionState {
      const state = super.connectionState
      if (state !== 'connected' || made.init?.readyState === 'closed') return state
      made.heldBack = true
      return 'connecting'
    }

    override createDataChannel(label: string, options?: RTCDataChannelInit): RTCDataChannel {
      const channel = super.createDataChannel(label, options)
      if (label === 'init') {
        made.init = channel
        channel.addEventListener('close', () => this.dispatchEvent(new Event('connectionstatechange')))
      }
      return channel
    }
  }
}

let real: WebRtcModule
let initiateConnection: InitiateConnectionModule['initiateConnection']
let Message: MessageModule['Message']

beforeAll(async () => {
  // initiate-connection.js imports its RTCPeerConnection from '../webrtc/index.js'; swap in
  // the gated one there and re-export RTCSessionDescription and RTCIceCandidate unchanged.
  vi.doMock(internal('./webrtc/index.js'), async (importOriginal) => {
    real = await importOriginal<WebRtcModule>()
    return { ...real, RTCPeerConnection: gated(real.RTCPeerConnection) }
  })
  // Vitest runs node_modules natively, where a mock cannot reach a module's own imports.
  // '?inline' is one of Vitest's default inline patterns: it makes Vitest load this one
  // module itself, so its '../webrtc/index.js' import is served by the mock above.
  const initiate = internal('./private-to-private/initiate-connection.js')
  ;({ initiateConnection } = (await import(`${initiate}?inline`)) as InitiateConnectionModule)
  ;({ Message } = (await import(internal('./private-to-private/pb/message.js'))) as MessageModule)
})

afterEach(() => {
  for (const pc of made.peers) pc.close()
  for (const stream of made.streams) stream.abort(new Error('test over'))
  made.peers = []
  made.streams = []
  made.initiator = undefined
  made.init = undefined
  made.heldBack = false
})

/**
 * The recipient's side, driven by hand like signaling-stream-handler.js plus the muxer:
 * answer the offer, trade ICE candidates, and close every data channel the initiator opens
 * (the muxer does that to 'init'). It never ends the signaling stream itself; it returns
 * the labels of the channels it closed once the initiator has ended the stream.
 */
async function answer(stream: Stream, signal: AbortSignal): Promise<string[]> {
  const pc = new real.RTCPeerConnection()
  made.peers.push(pc)
  const closed: string[] = []
  pc.addEventListener('datachannel', ({ channel }) => {
    closed.push(channel.label)
    channel.close()
  })
  const signaling = pbStream(stream).pb(Message)
  const send = (data: string): void =>
    // best effort, as in the package: the initiator may have ended the stream already
    void signaling.write({ type: 'ICE_CANDIDATE', data }, { signal }).catch(() => undefined)
  // candidates may be gathered before the answer is written; they must not overtake it
  const early: string[] = []
  let answered = false
  pc.onicecandidate = ({ candidate }) => {
    if (candidate === null || candidate.candidate === '') return
    const data = JSON.stringify(candidate.toJSON())
    if (answered) send(data)
    else early.push(data)
  }

  const offer = await signaling.read({ signal })
  expect(offer.type).toBe('SDP_OFFER')
  await pc.setRemoteDescription(new real.RTCSessionDescription({ type: 'offer', sdp: offer.data ?? '' }))
  const description = await pc.createAnswer()
  await signaling.write({ type: 'SDP_ANSWER', data: description.sdp ?? '' }, { signal })
  await pc.setLocalDescription(description)
  answered = true
  early.forEach(send)

  // add the initiator's candidates until it ends the stream, which it does once dialled
  // (or until the dial's signal aborts this read, when the initiator hung)
  for (;;) {
    const message = await signaling.read({ signal }).catch(() => null)
    if (message === null) return closed
    expect(message.type).toBe('ICE_CANDIDATE')
    const init = JSON.parse(message.data ?? 'null') as RTCIceCandidateInit | null
    if (init !== null && init.candidate !== '') await pc.addIceCandidate(new real.RTCIceCandidate(init))
  }
}

describe('private-to-private WebRTC dial (patched @libp2p/webrtc initiateConnection)', () => {
  it('completes when the recipient closed the init channel before the initiator saw it open', async () => {
    const [relay, target] = await Promise.all([generateKeyPair('Ed25519'), generateKeyPair('Ed25519')])
    const addr = multiaddr(
      `/ip4/127.0.0.1/tcp/4001/p2p/${peerIdFromPrivateKey(relay).toString()}` +
        `/p2p-circuit/webrtc/p2p/${peerIdFromPrivateKey(target).toString()}`
    )
    const [outbound, inbound] = await streamPair()
    made.streams.push(outbound, inbound)
    const logger = defaultLogger()
    const signal = AbortSignal.timeout(DIAL_BOUND_MS)

    const [dialled, closedByRecipient] = await Promise.all([
      initiateConnection({
        multiaddr: addr,
        // an existing relayed connection to the target, whose signaling stream is ours
        connectionManager: { getConnections: () => [{ newStream: () => Promise.resolve(outbound) }] },
        transportManager: {},
        log: logger.forComponent('test:webrtc-init-race'),
        logger,
        signal
      }),
      answer(inbound, signal)
    ])

    expect(dialled.peerConnection).toBe(made.initiator)
    expect(closedByRecipient).toEqual(['init'])
    expect(made.init?.readyState).toBe('closed')
    // the race was forced, not won by luck: 'connected' really was held back until then
    expect(made.heldBack).toBe(true)
    expect(signal.aborted).toBe(false)
  })
})
