/** Bounds of the page's networking, in one place (names carry units). */
export const NET_LIMITS = {
  /** gossipsub topic for presence announcements (the hub subscribes to it too). */
  presenceTopic: 'iscp/peers/1',
  /** Re-announce presence this often once every known peer is linked directly (late joiners still learn about us). */
  presenceIntervalMs: 2_000,
  /**
   * ...and this often while something is missing: during the first presenceFastForMs after start, or while a known
   * peer is not directly linked with peering up. A tab that joins the hub's gossipsub mesh a heartbeat after our
   * announcement would otherwise wait a whole presenceIntervalMs to hear of us. Bounded: at most 1 / 400 ms.
   */
  presenceFastIntervalMs: 400,
  presenceFastForMs: 10_000,
  /** A presence announcement bigger than this is dropped (it holds a few multiaddrs and a signature). */
  presenceBytesMax: 4_096,
  /** A peer not heard from for this long is forgotten (unless connected). */
  presenceExpiryMs: 15_000,
  /**
   * Dial attempts. About one WebRTC dial in five hangs on loopback (measured: the answering tab has the connection,
   * the dialer never finishes its last signalling step), while healthy ones take 0.2–2.6 s even with 4 tabs on 2
   * loaded cores. So the first attempt is cut short and retried at once; later attempts get the full window.
   * libp2p's own per-address dial timeout (6 s) bounds any attempt too.
   */
  webrtcDialTimeoutFirstMs: 4_000,
  /**
   * ...and any attempt that has not finished this long after it began reading ICE candidates is hung (healthy:
   * tens to a few hundred ms from there on loopback, under load too), so it is aborted early (HungDialWatchdog).
   */
  webrtcAfterIceMaxMs: 1_500,
  webrtcDialTimeoutMs: 6_000,
  /** The relayed connection (through the hub's relay, used for signalling and as fallback). */
  relayedDialTimeoutMs: 5_000,
  /** Hub dial and stream opening. */
  dialTimeoutMs: 10_000,
  /**
   * After a failed WebRTC dial the dialer sends `directReset` over the relayed link and retries no sooner than
   * this: the frame's trip through the hub's relay, so the answerer has dropped its dead connection first.
   */
  directResetSettleMs: 300,
  /** How long a passed dial turn lasts: one WebRTC attempt (≤ 6 s) and its settle time, then the default rule again. */
  dialTurnMs: 7_000,
  /** A direct connection whose peering link is still not up after this long is closed, so both sides start clean. */
  halfOpenCloseMs: 8_000,
  /** Failed attempts retried after dialRetryQuickMs this many times, then with backoff doubling up to the max. */
  dialQuickRetries: 2,
  dialRetryQuickMs: 200,
  dialBackoffMs: 1_000,
  dialBackoffMsMax: 8_000,
  /** The larger peer ID waits this long for the smaller to dial before dialing itself (the dial rule's escape hatch). */
  dialRuleGraceMs: 30_000,
  /**
   * The peer table's clock: dial rule, retries, half-open and expiry checks run this often. Short against the
   * dial retry delays (200 ms quick retries) so a retry is not late by a whole tick.
   */
  peerTickMs: 250,
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
