import { NODECONN_STREAM_LIMITS, type NodeConnStreamLimits } from '../nodeconn/limits';

/**
 * Every bound the hub puts on what one peer, one IP or everyone together can make it hold: one place, documented
 * in README.md. Every tab and the CLI come from 127.0.0.1, so per-IP caps are sized for a whole committee of tabs
 * on one host and are about keeping one host (or one runaway process) from taking everything, not about fairness
 * between tabs. startHub takes overrides (tests use small ones).
 */
export interface HubLimits {
  /** libp2p connections in total. */
  readonly connectionsMax: number;
  /** libp2p's per-host inbound rate (its default 5/s made a committee of tabs opening at once fail). */
  readonly inboundConnectionsPerSecondMax: number;
  /** libp2p connections in the noise/yamux upgrade at once (libp2p's own count, after the WebSocket is up). */
  readonly incomingPendingConnectionsMax: number;
  /**
   * TCP sockets on the WebSocket port that are not yet a libp2p connection (HTTP upgrade, noise, yamux not done):
   * in total and per remote IP. Beyond them a new socket is closed at once. libp2p's own listener would hold a
   * socket that never sends a byte forever.
   */
  readonly wsPendingMax: number;
  readonly wsPendingPerIpMax: number;
  /** A socket must become a libp2p connection within this, or it is closed. */
  readonly wsHandshakeTimeoutMs: number;
  /** Circuit-relay reservations in total (every tab takes one) and per remote IP; one per peer by construction. */
  readonly relayReservationsMax: number;
  readonly relayReservationsPerIpMax: number;
  /** HTTP server (app and /api/hub): sockets in total and time to send a request's headers / whole request. */
  readonly httpConnectionsMax: number;
  readonly httpHeadersTimeoutMs: number;
  readonly httpRequestTimeoutMs: number;
  /**
   * How long the first queued faucet request waits for others before one transaction pays them all: a class
   * opening its tabs together costs the log one transaction, not one per tab.
   */
  readonly faucetBatchWindowMs: number;
  /** Per nodeconn stream: write buffer, partial frames (time, and bytes over all streams), half-closed, idle. */
  readonly nodeconnStream: NodeConnStreamLimits;
}

export const HUB_LIMITS: HubLimits = {
  connectionsMax: 512,
  inboundConnectionsPerSecondMax: 200,
  incomingPendingConnectionsMax: 64,
  wsPendingMax: 128,
  wsPendingPerIpMax: 48,
  wsHandshakeTimeoutMs: 10_000,
  // Relayed connections get no duration/data limit (a committee's peering must not be cut mid-run); hence 128
  // reservations rather than libp2p's 15, and half of them at most for one IP.
  relayReservationsMax: 128,
  relayReservationsPerIpMax: 64,
  httpConnectionsMax: 256,
  httpHeadersTimeoutMs: 10_000,
  httpRequestTimeoutMs: 30_000,
  faucetBatchWindowMs: 50,
  nodeconnStream: NODECONN_STREAM_LIMITS,
};

/** Overrides, with nodeconnStream merged field by field. */
export type HubLimitsOverride = Partial<Omit<HubLimits, 'nodeconnStream'>> & { readonly nodeconnStream?: Partial<NodeConnStreamLimits> };

export function hubLimits(o: HubLimitsOverride = {}): HubLimits {
  return { ...HUB_LIMITS, ...o, nodeconnStream: { ...HUB_LIMITS.nodeconnStream, ...o.nodeconnStream } };
}
