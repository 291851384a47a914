/**
 * VM parameters in one typed place: bounds and the gas table. Changing any of these changes results, so
 * every committee member must run the same values (they are part of the protocol version).
 */
export const VM_LIMITS = {
  /** Nested synchronous calls (contract → contract) in one request; the request itself is depth 1. */
  callDepthMax: 16,
  // No separate bound on nested wasm instances: under wasm policy v2 they share one frame budget
  // (docs/vm-spec.md §5), so callDepthMax bounds only the host frames between them.
  /** Gas for one request when the task does not say; an infinite loop ends here. */
  gasLimitPerRequestDefault: 5_000_000n,
  /**
   * Highest gasLimitPerRequest governance accepts: a request that loops runs this long on every member before it
   * fails (≈ 20× the default); beyond that an owner could stall their own committee with one request.
   */
  gasLimitPerRequestMax: 100_000_000n,
  /** Lowest gasLimitPerRequest governance accepts (below it a contract deployment cannot finish). */
  gasLimitPerRequestMin: 100_000n,
  /**
   * Requests per batch: governance's maxBatchSize default and its upper bound. The same as the consensus layer's
   * batchRequestsMax (the computation context cannot carry more; src/vm/core/governance.test.ts asserts it).
   */
  batchSizeMax: 256,
  /** Gas for one view call from outside (dashboard, CLI). */
  gasLimitPerViewDefault: 5_000_000n,
  /** Events one request may emit, and their size. */
  eventsPerRequestMax: 64,
  eventBytesMax: 1024,
  /** Keys a request may write (bounds its state update). */
  mutationsPerRequestMax: 4096,
  /** Cross-chain requests and L1 withdrawals per batch: they all go into one anchor transaction. */
  outgoingRequestsPerBatchMax: 32,
  withdrawalsPerBatchMax: 64,
  /** Results of one call. */
  resultsBytesMax: 256 * 1024,
  /** Log lines from contracts kept per request (debugging; not in the state). */
  logLinesPerRequestMax: 64,
  /** Blob fields. */
  blobFieldsMax: 16,
  /** Accounts listed by one `accounts` view. */
  accountsListMax: 10_000,
  /** Event records returned by one getRecords call. */
  eventRecordsPerQueryMax: 1000,
} as const;

/**
 * Gas table: what each host operation costs. Wasm instructions are metered by src/vm/wasm (1 unit each by its
 * policy); host calls charge these on top, so gas for the same work is the same for native and wasm.
 */
export const GAS = {
  /** Entering any entry point or view (native or wasm). */
  call: 1000n,
  stateRead: 20n,
  stateWrite: 100n,
  /** Per byte read/written/hashed/returned. */
  perByte: 1n,
  stateKeys: 200n,
  param: 5n,
  result: 10n,
  event: 500n,
  transfer: 500n,
  postRequest: 2000n,
  hash: 50n,
  ed25519Verify: 20_000n,
  base58: 50n,
  info: 5n,
  log: 20n,
  deploy: 100_000n,
} as const;
