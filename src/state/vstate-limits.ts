/**
 * Bounds on the virtual state and blocks. Every decoder refuses input beyond these before allocating
 * (TigerBeetle's "limit everything"); the VM enforces the same bounds when it writes.
 */
export const STATE_LIMITS = {
  /** Longest state key: 4-byte hname prefix + a contract's own key. */
  keyBytesMax: 1024,
  /** Largest single value: a blob field (a wasm program) must fit. */
  valueBytesMax: 1024 * 1024,
  /** Requests (state updates) in one block: bounds the batch size consensus may propose. */
  updatesPerBlockMax: 1024,
  /** Mutations one request may produce. */
  mutationsPerUpdateMax: 4096,
} as const;
