// ws for the mesh-bridge bundle (rolldown.config.ts), loaded on first use. @libp2p/websockets
// needs its WebSocketServer only to listen on /ws, which a device does not do by default
// (it dials with the global WebSocket), and ws brings https, tls and zlib along: about
// 3 MB of an idle bridge.
import { standIns } from './stand-in.ts'

/** What @libp2p/websockets takes from ws (ws ships no types; nothing here needs them). */
interface Ws {
  WebSocketServer: new (options: object) => unknown
}

const { classes } = standIns<Ws, 'WebSocketServer'>('ws', ['WebSocketServer'])

export const { WebSocketServer } = classes
