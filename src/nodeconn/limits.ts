import { LIMITS } from '../protocol/limits';

/** Bounds of the node-connection protocol: a decoder refuses anything bigger before allocating for it. */
export const NODECONN_LIMITS = {
  /**
   * Outputs reported for one address in one message. A chain address holds one UTXO per pending request
   * (each carries its request token), so this bounds the backlog one message can show; beyond it the hub reports
   * the first ones in output-ID order and logs that it truncated.
   */
  outputsPerMessageMax: 16_384,
  /** One frame on the wire: a transaction plus a full output list fits comfortably. */
  frameBytesMax: 8 * 1024 * 1024,
  /** waspToNodeSetId: a tracing label, not an identity. */
  idBytesMax: 256,
  reasonBytesMax: 1024,
  transactionBytesMax: LIMITS.transactionBytesMax,
} as const;
