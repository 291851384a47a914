/** What GET /api/hub returns. */
export interface HubInfo {
  readonly peerId: string;
  readonly multiaddrs: readonly string[];
  readonly confirmDelayMs: number;
}

/** direct = a WebRTC connection between the two tabs; relayed = only through the hub's circuit relay. */
export type ConnectionKind = 'direct' | 'relayed' | 'none';

/** One other tab as the page sees it (read by the dashboard). */
export interface PeerView {
  readonly peerId: string;
  readonly nodeId: string;
  readonly name: string;
  readonly kind: ConnectionKind;
  /** libp2p ping round trip; undefined until measured. */
  readonly pingMs: number | undefined;
  /** Round trip of an echo frame on the peering stream itself. */
  readonly peeringRttMs: number | undefined;
  /** Both directions of the peering stream are open and the remote's hello was verified. */
  readonly peeringUp: boolean;
  readonly dialAttempts: number;
  readonly lastError: string | undefined;
  readonly lastSeenMs: number;
}

export interface NetSnapshot {
  readonly peerId: string;
  readonly nodeId: string;
  readonly name: string;
  readonly hubConnected: boolean;
  readonly relayReserved: boolean;
  readonly nodeconnUp: boolean;
  readonly multiaddrs: readonly string[];
  readonly peers: readonly PeerView[];
  /** Milliseconds since createBrowserLibp2p was called, when the first/last-needed direct link came up. */
  readonly firstDirectAtMs: number | undefined;
}

export interface NetEvents {
  /** Any change for the dashboard (coalesced by the caller if needed). */
  change: NetSnapshot;
  /** A node envelope from a verified peer. */
  peeringMessage: { readonly fromNodeId: string; readonly data: Uint8Array };
  /** A peer's peering link came up or went down. */
  peerStatus: { readonly nodeId: string; readonly up: boolean };
  /** A raw nodeconn frame from the hub (waspFromNode*), passed on undecoded. */
  nodeconnFrame: Uint8Array;
  /** The nodeconn stream (re)opened: a new hub session, so subscriptions must be made again. */
  nodeconnUp: true;
}
