import type { Connection, ConnectionGater, PeerId } from '@libp2p/interface';
import type { RelayReservation } from '@libp2p/circuit-relay-v2';
import { socketKeyOf } from './ws-guard';

/**
 * Whether a new relay reservation from `host` is over the per-IP cap, given the hosts of the reservations held.
 * A refresh (the peer already holds one) is never denied: one reservation per peer is the relay's own rule.
 */
export function reservationDenied(heldHosts: Iterable<string>, host: string | undefined, refresh: boolean, perIpMax: number): boolean {
  if (refresh) return false;
  if (host === undefined) return true; // no direct socket to count it against (the relay refuses circuit ones anyway)
  let n = 0;
  for (const h of heldHosts) if (h === host) n++;
  return n >= perIpMax;
}

export interface RelayGuardDeps {
  /** The relay server's reservations (CircuitRelayService.reservations), keyed by peer. */
  readonly reservations: () => { get(p: PeerId): RelayReservation | undefined; delete(p: PeerId): void; values(): Iterable<RelayReservation> };
  readonly connectionsOf: (p: PeerId) => readonly Connection[];
}

/**
 * Circuit-relay reservations per IP: the relay allows one per peer but a peer ID costs nothing, so one process
 * could take every slot (relayReservationsMax) and leave later tabs unreachable. Installed as the connection
 * gater's denyInboundRelayReservation. Also drops a peer's reservation when its last connection closes: the
 * relay keeps them for their whole TTL (2 h) otherwise, and a closed tab's slot would count against its IP.
 */
export class RelayGuard {
  private deps: RelayGuardDeps | undefined;
  deniedTotal = 0;

  constructor(
    private readonly perIpMax: number,
    private readonly log: (line: string) => void,
  ) {}

  /** Given after the node exists (the gater is part of its configuration). */
  bind(deps: RelayGuardDeps): void {
    this.deps = deps;
  }

  readonly gater: ConnectionGater = {
    denyInboundRelayReservation: (peer: PeerId): boolean => {
      const d = this.deps;
      if (!d) return true;
      const reservations = d.reservations();
      const host = d.connectionsOf(peer).map((c) => socketKeyOf(c.remoteAddr)?.host).find((h) => h !== undefined);
      const held = [...reservations.values()].map((r) => socketKeyOf(r.addr)?.host ?? '');
      const denied = reservationDenied(held, host, reservations.get(peer) !== undefined, this.perIpMax);
      if (denied) {
        this.deniedTotal++;
        if (this.deniedTotal % 100 === 1) this.log(`relay guard: reservation for ${peer.toString()} from ${host ?? 'a relayed connection'} denied: ${this.perIpMax} reservations per IP (denied so far: ${this.deniedTotal})`);
      }
      return denied;
    },
  };

  /** Call on 'peer:disconnect' (the peer's last connection closed). */
  disconnected(peer: PeerId): void {
    const reservations = this.deps?.reservations();
    const r = reservations?.get(peer);
    if (!r) return;
    // Stop its expiry timer first: when it fired it would delete whatever reservation the peer holds by then.
    (r.signal as { clear?: () => void }).clear?.();
    reservations?.delete(peer);
  }
}
