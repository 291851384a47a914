/** Bounds of the page's networking, in one place (names carry units). */
export const NET_LIMITS = {
  /** gossipsub topic for presence announcements (the hub subscribes to it too). */
  presenceTopic: 'iscp/peers/1',
  /** Re-announce presence this often, so late joiners and restarted tabs learn about us. */
  presenceIntervalMs: 2_000,
  /** A presence announcement bigger than this is dropped (it holds a few multiaddrs and a signature). */
  presenceBytesMax: 4_096,
  /** A peer not heard from for this long is forgotten (unless connected). */
  presenceExpiryMs: 15_000,
  /**
   * One WebRTC dial attempt; about one dial in five hangs on loopback, so we give up and retry. Not shorter:
   * on a loaded 2-core machine a healthy dial can take several seconds, and an aborted dial leaves the remote
   * with a half-open connection that must then be cleaned up (see halfOpenCloseMs).
   */
  dialTimeoutMs: 10_000,
  /** A direct connection whose peering link is still not up after this long is closed, so both sides start clean. */
  halfOpenCloseMs: 8_000,
  /** Backoff between failed dial attempts: first, then doubled up to the max. */
  dialBackoffMs: 500,
  dialBackoffMsMax: 8_000,
  /** The larger peer ID waits this long for the smaller to dial before dialing itself (the dial rule's escape hatch). */
  dialRuleGraceMs: 30_000,
  /** Ping each connected peer this often for the latency column. */
  pingIntervalMs: 3_000,
  pingTimeoutMs: 3_000,
  /** Peering frame bound: a block candidate or a state sync batch must fit. */
  peeringFrameBytesMax: 16 * 1024 * 1024,
  /** Frames queued for a peer whose stream is not open yet; beyond it the oldest are dropped (consensus retries). */
  peeringQueueFramesMax: 1_024,
  /** Nodeconn frames queued while the hub stream reconnects. */
  nodeconnQueueFramesMax: 4_096,
  nodeconnFrameBytesMax: 8 * 1024 * 1024,
  nodeconnReconnectMs: 1_000,
} as const;
