import type { RequestID, TransactionID } from '../protocol';

/** One change to the virtual state. Keys are partitioned: first 4 bytes = the owning contract's hname (LE). */
export type Mutation =
  | { readonly kind: 'set'; readonly key: Uint8Array; readonly value: Uint8Array }
  | { readonly kind: 'del'; readonly key: Uint8Array };

/** The spec's state update: the mutations of one request, with its timestamp (block timestamp + i ns). */
export interface StateUpdate {
  /** The request that produced it; absent only for the origin/system update. */
  readonly requestId?: RequestID;
  readonly timestamp: bigint;
  readonly mutations: readonly Mutation[];
}

/**
 * The spec's block: a sequence of state updates. `anchorTxId` is filled in once the anchor transaction is
 * known; it is NOT part of the block hash (the anchor tx carries the state hash, which depends on the block
 * hash, so including the tx ID would be circular). See docs/protocol.md.
 */
export interface Block {
  readonly blockIndex: number;
  /** = timestamp of the last state update. */
  readonly timestamp: bigint;
  readonly updates: readonly StateUpdate[];
  readonly anchorTxId: TransactionID;
}

/** Read access to a virtual state (solid state, or a VM's buffered view over it). */
export interface StateReader {
  get(key: Uint8Array): Uint8Array | undefined;
  has(key: Uint8Array): boolean;
  /** Keys with the given prefix, in lexicographic byte order. */
  keys(prefix: Uint8Array): Uint8Array[];
}
