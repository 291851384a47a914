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

/**
 * Per-stream bounds the hub applies to each nodeconn client (src/hub/limits.ts collects them with the hub's other
 * limits; these are the defaults of serveNodeConn). None of them cuts off a client that follows the protocol:
 * a subscribed client may stay silent for as long as it likes.
 */
export interface NodeConnStreamLimits {
  /** Bytes queued for a client that does not read; beyond it its stream is reset (libp2p's maxWriteBufferLength). */
  readonly writeBufferBytesMax: number;
  /** A frame whose first bytes have arrived must be complete within this (no slow-drip partial frames). */
  readonly partialFrameMs: number;
  /** Bytes held for partial frames over all streams of the hub together; the stream that would exceed it is reset. */
  readonly partialFrameBytesTotalMax: number;
  /** After the client closes its writing side the hub closes its own; reset if that has not finished within this. */
  readonly halfClosedMs: number;
  /** A stream with no subscription that carried no frame either way for this long is closed (a client asks again). */
  readonly idleMs: number;
}

export const NODECONN_STREAM_LIMITS: NodeConnStreamLimits = {
  writeBufferBytesMax: 4 * NODECONN_LIMITS.frameBytesMax,
  partialFrameMs: 30_000,
  partialFrameBytesTotalMax: 256 * 1024 * 1024,
  halfClosedMs: 5_000,
  idleMs: 10 * 60_000,
};
