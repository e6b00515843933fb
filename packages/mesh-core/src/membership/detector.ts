import type { PeerId } from '@libp2p/interface'
import { platform } from '#platform'
import type { Logger } from '../log.ts'
import type { Connectivity } from '../node/connectivity.ts'
import type { MeshLibp2p } from '../node/create-libp2p.ts'
import { DEFAULT_MAX_DRIFT_MS } from '../crdt/constants.ts'
import { BadMessageError } from '../errors.ts'
import { HLC_PACK } from '../registry/registry.ts'
import type { Registry } from '../registry/registry.ts'
import type { Rpc } from '../rpc/rpc.ts'
import type { DownNotice, DownNotices } from './down-notices.ts'
import { bestConnection } from './link.ts'
import type { Membership } from './membership.ts'

/** How long a peer named in a down notice has to answer a ping over our direct link. */
const PROBE_TIMEOUT_MS = 1_000

export interface DetectorInit {
  libp2p: MeshLibp2p
  selfId: string
  log: Logger
  membership: Membership
  registry: Registry
  rpc: Rpc
  connectivity: Connectivity
  downNotices: DownNotices
  pingIntervalMs: number
  /** Where a closing page beacons its goodbye: `/bye` on each bootstrap origin. */
  byeUrls: string[]
  penalise(peer: string, err: Error): void
}

/**
 * The failure detector's inputs: pings over direct links, lost connections, goodbyes
 * and down notices (docs/ARCHITECTURE.md, Records and health). Verdicts themselves are
 * the peer table's (`Membership`).
 */
export class FailureDetector {
  private readonly init: DetectorInit

  constructor(init: DetectorInit) {
    this.init = init
  }

  start(): void {
    this.init.libp2p.addEventListener('peer:disconnect', this.onPeerDisconnect)
  }

  stop(): void {
    this.init.libp2p.removeEventListener('peer:disconnect', this.onPeerDisconnect)
  }

  private direct(peer: string): boolean {
    return bestConnection(this.init.connectivity.connectionsTo(peer), { allowLimited: false }) !== undefined
  }

  /** Ping every directly linked peer once (RTT and liveness). */
  pingAll(): void {
    const { membership, rpc, log, pingIntervalMs } = this.init
    for (const peer of membership.ids()) {
      if (!this.direct(peer)) continue
      rpc
        .ping(peer, AbortSignal.timeout(pingIntervalMs))
        .then((ms) => membership.rtt(peer, ms, Date.now()))
        .catch((err: unknown) => log('ping %s failed: %s', peer, (err as Error).message))
    }
  }

  async ping(peer: string, timeoutMs: number): Promise<number> {
    const ms = await this.init.rpc.ping(peer, AbortSignal.timeout(timeoutMs))
    this.init.membership.rtt(peer, ms, Date.now())
    return ms
  }

  private readonly onPeerDisconnect = (evt: CustomEvent<PeerId>): void => {
    this.init.membership.lost(evt.detail.toString(), Date.now())
  }

  /**
   * Leaving now (a page being closed): the pre-signed goodbye goes out synchronously on
   * every direct channel; the caller then also publishes it by gossip if there is time.
   */
  sayGoodbye(): void {
    const bye = this.init.registry.depart()
    if (bye === undefined) return
    this.init.rpc.broadcastBye(bye)
    // And by beacon to the relays that served us: the one request a closing page is
    // promised to send, for when the data channels are torn down before they flush.
    for (const url of this.init.byeUrls) platform.beacon(url, bye)
  }

  /**
   * Leaving with time to spare (`stop()`): besides the open channels, open one to every
   * directly linked peer that has none yet (a peer that leaves right after joining has
   * pinged nobody), and wait for the goodbyes to be written.
   */
  async sayGoodbyeAndWait(timeoutMs: number): Promise<void> {
    const bye = this.init.registry.depart()
    if (bye === undefined) return
    const signal = AbortSignal.timeout(timeoutMs)
    // Everyone we hold a direct connection to, known or not: right after joining, a peer
    // may not have the relay's record yet while the relay already has ours.
    const peers = new Set(this.init.membership.ids().filter((p) => this.direct(p)))
    for (const c of this.init.libp2p.getConnections())
      if (c.status === 'open' && c.limits === undefined) peers.add(c.remotePeer.toString())
    await Promise.all([...peers].map((p) => this.init.rpc.sendBye(p, bye, signal)))
  }

  /** A goodbye delivered out of band (a relay's `POST /bye`): drop the peer, tell everyone. */
  async acceptGoodbye(envelope: Uint8Array): Promise<void> {
    const { record, accepted } = await this.init.registry.acceptGoodbye(envelope)
    if (accepted)
      await this.init.downNotices.publish({
        peer: record.peer,
        seq: record.seq,
        reason: 'normal',
        rec: envelope
      })
  }

  /** A direct peer said goodbye: drop it, and tell the peers that only know it by gossip. */
  onBye(peer: string, rec: Uint8Array): void {
    this.init.registry
      .acceptDirect(rec, peer)
      .then((r) => {
        if (r.state === 'leaving')
          void this.init.downNotices.publish({ peer, seq: r.seq, reason: 'normal', rec })
      })
      .catch((err: unknown) => this.init.penalise(peer, err as Error))
  }

  /** Another peer says it saw `notice.peer` die. */
  onDownNotice(notice: DownNotice, from: string): void {
    const { registry, membership, log } = this.init
    if (notice.peer === this.init.selfId) {
      // We are alive: refute with a newer record, which everyone accepts.
      log('refuting a down notice about us from %s', from)
      void registry.heartbeat(notice.seq)
      return
    }
    // A notice dated beyond what any clock may drift would make its victim's refutation
    // look like drift too: refuse it.
    if (notice.seq / HLC_PACK > Date.now() + DEFAULT_MAX_DRIFT_MS) {
      this.init.penalise(from, new BadMessageError('a down notice from the future'))
      return
    }
    if (notice.rec !== undefined) {
      // A goodbye carries the peer's own signed record: proof, so no probe is needed.
      registry
        .acceptGoodbye(notice.rec)
        .then(({ record }) => {
          if (record.peer !== notice.peer) throw new BadMessageError('a goodbye for another peer')
        })
        .catch((err: unknown) => this.init.penalise(from, err as Error))
      return
    }
    const known = registry.versionOf(notice.peer)
    if (known !== undefined && known > notice.seq) return
    const reason = notice.reason ?? 'noconnection'
    if (!this.direct(notice.peer)) {
      registry.remove(notice.peer, notice.seq)
      membership.remove(notice.peer, reason)
      return
    }
    // We still hold a direct link, but a dead WebRTC connection can look open for many
    // seconds: ask it. A live peer answers within the probe; a dead one is dropped now.
    this.init.rpc
      .ping(notice.peer, AbortSignal.timeout(PROBE_TIMEOUT_MS))
      .then((ms) => membership.rtt(notice.peer, ms, Date.now()))
      .catch(() => {
        if ((registry.versionOf(notice.peer) ?? 0) > notice.seq) return
        log('probe of %s failed after a down notice from %s', notice.peer, from)
        registry.remove(notice.peer, notice.seq)
        membership.remove(notice.peer, reason)
      })
  }
}
