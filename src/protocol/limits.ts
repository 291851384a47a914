/**
 * Protocol limits. Every collection that crosses a trust boundary has a named upper bound here,
 * so a decoder can refuse oversized input before allocating for it (TigerBeetle's "limit everything").
 */
export const LIMITS = {
  /** Largest encoded value transaction the ledger accepts. Blocks travel over streams, not in txs. */
  transactionBytesMax: 256 * 1024,
  inputsMax: 256,
  outputsMax: 256,
  colorsPerBalanceMax: 64,
  signaturesMax: 256,
  dataPayloadBytesMax: 192 * 1024,
  requestsPerPayloadMax: 64,
  argsPerRequestMax: 64,
  argKeyBytesMax: 256,
  argValueBytesMax: 128 * 1024,
  /** Generic cap for a length-prefixed byte string read by the codec. */
  bytesMax: 16 * 1024 * 1024,
  stringBytesMax: 4096,
} as const;
