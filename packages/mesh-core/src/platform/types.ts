import type { PrivateKey } from '@libp2p/interface'
import type { Libp2pOptions } from 'libp2p'
import type { MeshOptions, PeerRole } from '../types.ts'

/** What differs between a browser and a Node peer. One implementation per environment. */
export interface Platform {
  readonly kind: 'browser' | 'node'
  readonly defaultRole: PeerRole
  /** Load the persisted identity, or create and persist one. Returns a release function too. */
  loadIdentity(options: MeshOptions): Promise<{ key: PrivateKey; release: () => void }>
  /** Bootstrap entries used when the options give none. */
  defaultBootstrap(): string[]
  /** The libp2p transports, listen addresses, peer discovery and extra services for a role. */
  libp2pParts(role: PeerRole, options: MeshOptions): Libp2pParts
  /** Fetch and parse a JSON document (a bootstrap list). */
  fetchJson(url: string, signal: AbortSignal): Promise<unknown>
  /** Hooks for leaving and for being hidden (browsers); returns an unsubscribe. */
  watchLifecycle(handlers: LifecycleHandlers): () => void
  /** Send bytes with the one request a browser promises to deliver during unload. */
  beacon(url: string, body: Uint8Array): void
  /** A default human name for this peer. */
  defaultName(): string
}

export interface LifecycleHandlers {
  /** The page or process is going away: announce the leave now. */
  leaving(): void
  /** The page became hidden (true) or visible again (false). */
  hidden(hidden: boolean): void
  /** A battery reading: `level` from 0 to 1 (browsers with the Battery Status API). */
  battery(level: number, charging: boolean): void
}

export interface Libp2pParts {
  listen: string[]
  transports: NonNullable<Libp2pOptions['transports']>
  peerDiscovery: NonNullable<Libp2pOptions['peerDiscovery']>
  /** Service factories; each declares the components it needs, libp2p supplies them. */
  services: Record<string, (components: never) => unknown>
}
