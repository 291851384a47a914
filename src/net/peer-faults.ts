/**
 * Injected faults on the peering link (test automation: the Playwright kit's partition / slowLink / byzantine
 * 'silent'). Only node envelopes ('data' frames) are affected: the link itself, its hello and echo frames stay
 * as they are, so a partition looks to the node like a network that loses everything, not like a closed tab.
 * Nothing here runs unless a test sets a rule; with no rules every frame passes untouched.
 */

/** What happens to the node envelopes exchanged with one peer (by node ID). */
export interface PeerFaultRule {
  /** Envelopes this node would send to the peer are discarded. */
  readonly dropOut?: boolean;
  /** Envelopes the peer sends to this node are discarded on arrival. */
  readonly dropIn?: boolean;
  /** Envelopes to the peer leave this many ms late (order kept for a constant delay). */
  readonly delayMs?: number;
}

export interface PeerFaultConfig {
  /** Rules per peer node ID; peers not named are untouched. */
  readonly peers: Readonly<Record<string, PeerFaultRule>>;
  /** Byzantine 'silent': this node sends no envelope to anyone (it still receives). */
  readonly silent: boolean;
}

/** Counters, so a test can assert that a fault actually acted instead of hoping it did. */
export interface PeerFaultStats {
  readonly droppedOut: number;
  readonly droppedIn: number;
  readonly delayed: number;
}

export const NO_PEER_FAULTS: PeerFaultConfig = { peers: {}, silent: false };

/** Upper bound of an injected delay: a typo must not park frames for hours. */
export const PEER_FAULT_DELAY_MAX_MS = 60_000;

/** The verdict for one outbound envelope. */
export type OutboundVerdict = { readonly kind: 'pass' } | { readonly kind: 'drop' } | { readonly kind: 'delay'; readonly ms: number };

export class PeerFaults {
  private config: PeerFaultConfig = NO_PEER_FAULTS;
  private droppedOut = 0;
  private droppedIn = 0;
  private delayed = 0;

  set(config: PeerFaultConfig): void {
    for (const [nodeId, r] of Object.entries(config.peers)) {
      const d = r.delayMs ?? 0;
      if (!(Number.isFinite(d) && d >= 0 && d <= PEER_FAULT_DELAY_MAX_MS)) throw new Error(`delay toward ${nodeId.slice(0, 8)} must be 0..${PEER_FAULT_DELAY_MAX_MS} ms`);
    }
    this.config = { peers: { ...config.peers }, silent: config.silent };
  }

  current(): PeerFaultConfig {
    return this.config;
  }

  stats(): PeerFaultStats {
    return { droppedOut: this.droppedOut, droppedIn: this.droppedIn, delayed: this.delayed };
  }

  outbound(toNodeId: string): OutboundVerdict {
    const r = this.config.peers[toNodeId];
    if (this.config.silent || r?.dropOut) {
      this.droppedOut++;
      return { kind: 'drop' };
    }
    const ms = r?.delayMs ?? 0;
    if (ms > 0) {
      this.delayed++;
      return { kind: 'delay', ms };
    }
    return { kind: 'pass' };
  }

  /** True when an envelope from this peer is to be discarded. */
  dropsInbound(fromNodeId: string): boolean {
    if (!this.config.peers[fromNodeId]?.dropIn) return false;
    this.droppedIn++;
    return true;
  }
}
