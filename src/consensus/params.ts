import { ANCHOR_LIMITS } from '../protocol/anchor';

/**
 * Consensus parameters in one typed place (lodestar's `params`). Every committee member must run the same
 * protocol rules (MAX/bounds); the timeouts are local choices and may be overridden per node with
 * `ConsensusTimeouts` (tests and the simulator use shorter ones).
 */
export const CONSENSUS_PARAMS = {
  /** A block timestamp is accepted when within this distance of the member's own clock (Wasp: ±3 s). */
  timestampToleranceMs: 3_000,
  /**
   * Requests in one batch: bounds a block, the VM time per round and the computation context. Every block costs
   * the committee a fixed amount of threshold-BLS work (N partial signatures, the leader's and L1's pairing
   * checks), so a full batch is what makes that cost small per request (docs/decisions/consensus-batching.md).
   */
  batchRequestsMax: 256,
  /**
   * Request transactions plus swept strays in one batch: the anchor consumes each one's UTXO plus the chain UTXO
   * (LIMITS.inputsMax).
   */
  batchRequestTxsMax: ANCHOR_LIMITS.requestTxsMax,
  /** Stray outputs one anchor sweeps (tokens in the chain address without a request for it): ANCHOR_LIMITS. */
  batchStraysMax: ANCHOR_LIMITS.straysMax,
  /**
   * Distinct sender addresses in one batch: each gets its request tokens back in an anchor output, and the VM may
   * add VM_LIMITS.withdrawalsPerBatchMax + outgoingRequestsPerBatchMax outputs, plus the chain's own output, all
   * within LIMITS.outputsMax (256 − 64 − 32 − 1).
   */
  batchSendersMax: 159,
  /** Request IDs in one requestNotification (a member reports at most this many of its backlog). */
  notificationRequestsMax: 256,
  /** Backlog entries a node keeps per chain; more are left on L1 (they stay there and come back later). */
  backlogRequestsMax: 10_000,
  /** Request transactions being fetched from L1 at once per chain. */
  backlogFetchesInFlightMax: 64,
  /** Evidence records kept per chain (oldest dropped first). */
  evidenceMax: 1_000,
  /**
   * Catch-up (a member moving to a later leader position of the same state on a peer's message), how far: the
   * target lies less than this many full rotations of the permutation (× N positions) ahead. Far enough for a
   * member that restarted or was idle to rejoin, and it keeps leaderPos far from the u32 of the round codec.
   */
  catchUpRotationsMax: 4,
  /**
   * Catch-up, how often: a member leaves its current round for a later one only after it has been in that round,
   * without a context, for this share of its proposal timeout (ConsensusTimeouts.leaderProposalMs). Entering any
   * round restarts the wait, so peers move a member at most once per hold, and an honest leader that all honest
   * members entered together gets the hold to deliver its context (docs/decisions/consensus-rounds.md).
   */
  catchUpHoldShare: 0.5,
  /**
   * Stage timeouts grow by one base timeout per full rotation of the permutation on one state (position p waits
   * 1 + ⌊p/N⌋ times as long), up to this factor. Members whose rounds drifted apart at a constant lag (timers
   * run at one rate, so nothing else closes the gap) then overlap at one position for longer and longer, until
   * the overlap holds a whole honest round (the pacemaker argument of PBFT/Tendermint; consensus-rounds.md).
   */
  roundTimeoutGrowthMax: 8,
} as const;

/** Timeouts of the waiting stages (Wasp used 30 s for all; a local committee needs far less). */
export interface ConsensusTimeouts {
  /** A leader that does not send a computation context within this time after the round starts is replaced. */
  readonly leaderProposalMs: number;
  /** After the context: the leader waits this long for T results; a member waits this long for the anchor. */
  readonly resultsMs: number;
  /** After the anchor was posted: how long to wait for its confirmation before rotating. */
  readonly anchorConfirmMs: number;
  /** Re-send period of idempotent messages (notifications, context, result) so a dropped one costs little. */
  readonly resendMs: number;
  /** How often the leader asks L1 for the inclusion state of its posted anchor. */
  readonly inclusionPollMs: number;
}

export const DEFAULT_TIMEOUTS: ConsensusTimeouts = {
  leaderProposalMs: 5_000,
  resultsMs: 5_000,
  anchorConfirmMs: 10_000,
  resendMs: 500,
  inclusionPollMs: 500,
};

/** Interval at which the host should call `node.tick()` (Wasp: 100 ms). */
export const TICK_INTERVAL_MS = 100;
