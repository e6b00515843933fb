// node-datachannel/polyfill for the mesh-bridge bundle (rolldown.config.ts), loaded on
// first use. Importing node-datachannel maps its native addon (libdatachannel, OpenSSL,
// usrsctp) and costs an idle bridge about 10 MB, yet a bridge needs it only once a browser
// or another peer opens a WebRTC link. @libp2p/webrtc uses these three classes.
import type * as Polyfill from 'node-datachannel/polyfill'
import { standIns } from './stand-in.ts'

const { classes } = standIns<
  typeof Polyfill,
  'RTCPeerConnection' | 'RTCSessionDescription' | 'RTCIceCandidate'
>('node-datachannel/polyfill', ['RTCPeerConnection', 'RTCSessionDescription', 'RTCIceCandidate'])

export const { RTCPeerConnection, RTCSessionDescription, RTCIceCandidate } = classes
