import { mkdir } from 'node:fs/promises'
import { createMesh } from 'mesh-core'
import type { Mesh, MeshOptions } from 'mesh-core'
import { TCP_PORT_OFFSET, WS_PORT_OFFSET } from './constants.js'
import { createRequestHandler } from './http/handler.js'
import type { WebServer } from './http/server.js'
import { startWebServer } from './http/server.js'
import { isLoopbackAddress, isWildcardAddress, lanIPv4Addresses, urlHost } from './lan.js'
import { errorMessage } from './log.js'
import type { RelayConfig, RelayInit } from './options.js'
import { resolveOptions } from './options.js'
import type { PemPair } from './tls/certificate.js'
import { loadOrCreateCertificate, readCertificateFiles } from './tls/certificate.js'

/** A running relay. Start it with `createRelay()`, stop it with `close()`. */
export interface Relay {
  /** The relay's own mesh peer. */
  readonly mesh: Mesh
  readonly peerId: string
  /** Dialable libp2p multiaddrs of the relay, with /p2p/. */
  readonly addresses: string[]
  /** The web server's URL on this machine, e.g. `http://127.0.0.1:8080`. */
  readonly url: string
  /** The web server's URL on each LAN address, for phones. Empty when bound to loopback. */
  readonly lanUrls: string[]
  /** Stops the web server and the mesh peer. Safe to call more than once. */
  close(): Promise<void>
}

/**
 * Starts a relay: a mesh peer in the relay role (circuit-relay server, WebSocket and TCP
 * listeners) and a web server for the PWA, `/bootstrap.json` and `/healthz`.
 *
 * @example
 * ```ts
 * const relay = await createRelay({ port: 0, dataDir: '/tmp/relay' })
 * console.log(relay.url, relay.addresses)
 * await relay.close()
 * ```
 */
export async function createRelay(init: RelayInit = {}): Promise<Relay> {
  const config = resolveOptions(init)
  // It holds private keys: only the owner may read it.
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 })
  const lanIps = isWildcardAddress(config.host) ? lanIPv4Addresses() : []
  const tls = await loadTls(config)

  const mesh = await createMesh(meshOptions(config, tls))
  let server: WebServer
  try {
    server = await startWebServer({
      host: config.host,
      port: config.port,
      tls,
      timeouts: config.httpTimeouts,
      log: config.log,
      handler: createRequestHandler({
        peerId: mesh.peerId,
        addresses: () => mesh.addresses(),
        peerCount: () => mesh.peers().filter((p) => p.status !== 'down').length,
        goodbye: (envelope) => mesh.acceptGoodbye(envelope),
        pwaDirs: config.pwaDirs,
        log: config.log
      })
    })
  } catch (err) {
    await mesh.stop()
    throw err
  }

  const unsubscribe = [
    mesh.on('peer:join', (peer) => {
      config.log({
        level: 'info',
        event: 'peer:join',
        message: `${peer.name} joined (${peer.role}, ${peer.link})`,
        fields: { peerId: peer.id, name: peer.name, role: peer.role, link: peer.link }
      })
    }),
    mesh.on('peer:leave', (leave) => {
      config.log({
        level: 'info',
        event: 'peer:leave',
        message: `${leave.id} left: ${leave.reason}`,
        fields: { peerId: leave.id, reason: leave.reason }
      })
    })
  ]

  const scheme = tls === undefined ? 'http' : 'https'
  const localHost = isWildcardAddress(config.host) ? '127.0.0.1' : config.host
  const url = `${scheme}://${urlHost(localHost)}:${server.port}`
  const lanUrls = (isWildcardAddress(config.host) || isLoopbackAddress(config.host) ? lanIps : [config.host])
    .filter((ip) => !isLoopbackAddress(ip))
    .map((ip) => `${scheme}://${urlHost(ip)}:${server.port}`)

  let closing: Promise<void> | undefined
  return {
    mesh,
    peerId: mesh.peerId,
    get addresses() {
      return mesh.addresses().filter((a) => !a.includes('/p2p-circuit'))
    },
    url,
    lanUrls,
    close() {
      closing ??= (async () => {
        for (const off of unsubscribe) off()
        // Both halves are stopped even if one fails; the first failure is reported.
        const results = await Promise.allSettled([server.close(), mesh.stop()])
        const failed = results.find((r) => r.status === 'rejected')
        if (failed !== undefined) {
          config.log({ level: 'error', event: 'relay:close-error', message: errorMessage(failed.reason) })
          throw failed.reason
        }
      })()
      return closing
    }
  }
}

async function loadTls(config: RelayConfig): Promise<PemPair | undefined> {
  switch (config.tls.kind) {
    case 'none':
      return undefined
    case 'files':
      return readCertificateFiles(config.tls.cert, config.tls.key)
    case 'generate':
      return loadOrCreateCertificate(
        config.dataDir,
        { dns: ['localhost'], ips: ['127.0.0.1', ...lanIPv4Addresses()] },
        config.log
      )
  }
}

function meshOptions(config: RelayConfig, tls: PemPair | undefined): MeshOptions {
  const ip = config.host.includes(':') ? 'ip6' : 'ip4'
  const wsPort = config.port === 0 ? 0 : config.port + WS_PORT_OFFSET
  const tcpPort = config.port === 0 ? 0 : config.port + TCP_PORT_OFFSET
  const options: MeshOptions = {
    role: 'relay',
    name: 'relay',
    dataDir: config.dataDir,
    listen: [
      `/${ip}/${config.host}/tcp/${wsPort}/${tls === undefined ? 'ws' : 'wss'}`,
      `/${ip}/${config.host}/tcp/${tcpPort}`
    ],
    relay: { maxReservations: config.maxReservations, ...config.relayLimits }
  }
  if (config.announce !== undefined) options.announce = config.announce
  if (tls !== undefined) options.tls = tls
  return options
}
