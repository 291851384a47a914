/** Every bound of the tab's node runtime (wiring, dashboard view, commands) in one place. */
export const RUNTIME_LIMITS = {
  /** Dashboard snapshots at most this often (rendering more often helps nobody). */
  snapshotIntervalMs: 200,
  /** Protocol events forwarded per snapshot interval; the rest are counted, not sent. */
  eventsPerFlushMax: 200,
  /** Requests per transaction when posting many (one request token each; keeps a transaction small). */
  requestsPerTxMax: 25,
  postManyMax: 10_000,
  blocksShown: 20,
  errorsShown: 20,
  /** Posted requests whose receipts are read per snapshot for the errors list. */
  errorsScannedMax: 500,
  /** Request receipts remembered for the errors list. */
  trackedRequestsMax: 20_000,
  waitProcessedMs: 60_000,
  /** How often a waiting command looks at the solid state again. */
  waitProcessedPollMs: 20,
  /** Below this many iotas in the tab's wallet, a command asks the faucet first. */
  ensureFundsMinIotas: 100n,
  /**
   * DKG phase window for chains created from the dashboard. The node's default (3 s) is for Node processes; four
   * tabs on two loaded cores missed it (a member's deal came late, QUAL fell below T). A phase still ends as soon
   * as every member's message is in, so this only slows a setup in which someone really is missing.
   */
  dkgPhaseTimeoutMs: 10_000,
} as const;
