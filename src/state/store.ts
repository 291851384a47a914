import type { ChainID, Color, RequestID, TransactionID } from '../protocol/ids';
import { compareBytes, fromHex } from '../protocol/bytes';
import type { Block, Mutation } from './types';

/**
 * Solid-state store (spec "Solid state"): the virtual state of each chain plus the complete block history,
 * and the IDs of processed requests. Async because real stores (IndexedDB, LevelDB) are. Used only by the
 * node runtime (src/node): pure cores (consensus, state manager) emit a `commitBlock` action and the runtime
 * carries it out here.
 *
 * Every implementation must pass `storeComplianceSuite` (src/state/store.compliance.ts).
 */
export interface SolidStateStore {
  /** The committed solid state of one chain, or null when nothing was committed (the chain is at its origin, #0). */
  loadChain(chainId: ChainID): Promise<StoredChainState | null>;
  /**
   * Appends block `block.blockIndex` and applies `mutations` to the stored virtual state, records
   * `newStateHash` as the chain's state hash and `processedRequestIds` as processed — ALL in one atomic write:
   * after a crash either everything of this block is there, or nothing is.
   * Rejects (StoreError 'non-sequential-block') unless block.blockIndex = last committed index + 1, so a block
   * is never committed twice or out of order. Block #0 is the origin (empty state, ORIGIN_STATE_HASH, anchored by
   * the origin transaction) and is never stored: a chain not yet in the store is at block #0 and its first
   * commit is block #1.
   */
  commitBlock(
    chainId: ChainID,
    block: Block,
    mutations: readonly Mutation[],
    newStateHash: Uint8Array,
    processedRequestIds: readonly RequestID[],
  ): Promise<void>;
  /** A committed block, or null when there is none at that index. */
  getBlock(chainId: ChainID, blockIndex: number): Promise<Block | null>;
  /** True once a block that processed this request has been committed. */
  isRequestProcessed(chainId: ChainID, requestId: RequestID): Promise<boolean>;
  /**
   * Forgets everything stored for the chain — blocks, state, processed requests — in one atomic write: it is at
   * its origin (#0) again and the next commit is block #1. For a store whose content failed verification
   * (verifyStoredChain): the node then syncs the chain from its peers.
   */
  resetChain(chainId: ChainID): Promise<void>;
}

/** What `loadChain` returns: enough to rebuild the virtual state and resume the chain after a restart. */
export interface StoredChainState {
  readonly chainId: ChainID;
  /** Index of the last committed block. */
  readonly blockIndex: number;
  readonly stateHash: Uint8Array;
  /** Timestamp (Unix ns) of the last committed block. */
  readonly timestamp: bigint;
  /** Anchor transaction of the last committed block. */
  readonly anchorTxId: TransactionID;
  /** The whole virtual state, key/value pairs sorted by key bytes. */
  readonly entries: ReadonlyArray<readonly [Uint8Array, Uint8Array]>;
}

/**
 * What every store's loadChain returns from its working state (hex key → value) and head: copies throughout, so a
 * caller cannot alias the store's memory, and pairs sorted by key bytes.
 */
export function storedChainState(
  chainId: ChainID,
  head: { readonly blockIndex: number; readonly stateHash: Uint8Array; readonly timestamp: bigint; readonly anchorTxId: TransactionID },
  kv: ReadonlyMap<string, Uint8Array>,
): StoredChainState {
  const entries = [...kv.entries()].map(([k, v]) => [fromHex(k), v.slice()] as const).sort(([a], [b]) => compareBytes(a, b));
  return { chainId, blockIndex: head.blockIndex, stateHash: head.stateHash.slice(), timestamp: head.timestamp, anchorTxId: head.anchorTxId.slice(), entries };
}

/**
 * 'io': the medium failed (a write, a read). 'corrupt': what a durable store read back is not what it wrote (a file
 * edited or damaged beyond a torn last write): it names the file and the offset, and nothing is dropped silently.
 */
export type StoreErrorCode = 'non-sequential-block' | 'bad-argument' | 'io' | 'corrupt';

/** The one error type of stores: a stable `code` callers branch on, plus a message naming what was wrong. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}

/* ------------------------------------------------------------------ Registry */

/**
 * The spec's bootup record ("Activation of SC"): everything a node needs to boot the chain.
 * `myIndex` is this node's 0-based index in `committeeNodeIds`, or null on an access node.
 */
export interface BootupRecord {
  readonly chainAddress: ChainID;
  readonly chainColor: Color;
  /** Node IDs (hex ed25519 public keys) in committee-index order. */
  readonly committeeNodeIds: readonly string[];
  readonly n: number;
  readonly t: number;
  readonly myIndex: number | null;
  /** Nodes that serve blocks to access nodes besides the committee (may be empty). */
  readonly accessNodeIds?: readonly string[];
}

/**
 * This node's DKG key share for one committee: the threshold-BLS keys (same fields as src/crypto's
 * CommitteeKeys). `privateShare` is secret: never log it, never send it.
 */
export interface RegistryKeyShare {
  readonly n: number;
  readonly t: number;
  /** 0-based member index. */
  readonly index: number;
  /** 96-byte compressed G2 master public key; the chain address is derived from it. */
  readonly masterPublicKey: Uint8Array;
  /** 96-byte public share of each member, by index. */
  readonly publicShares: readonly Uint8Array[];
  /** 32-byte private share (big-endian scalar). Secret. */
  readonly privateShare: Uint8Array;
}

/** The node's long-lived identity: an ed25519 key pair; the node ID is hex(publicKey). Secret key never logged. */
export interface NodeIdentity {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

/**
 * Node registry (spec "database ... registry data"): bootup records per chain, DKG key shares, node identity.
 * Keyed by chain address (`addressKey`). Async for the same reason as the store.
 */
export interface Registry {
  getNodeIdentity(): Promise<NodeIdentity | null>;
  putNodeIdentity(identity: NodeIdentity): Promise<void>;
  listBootupRecords(): Promise<BootupRecord[]>;
  getBootupRecord(chainAddress: ChainID): Promise<BootupRecord | null>;
  /** Inserts or replaces the record of `record.chainAddress`. */
  putBootupRecord(record: BootupRecord): Promise<void>;
  /** Deactivation: the chain is no longer booted on this node (its solid state stays). */
  removeBootupRecord(chainAddress: ChainID): Promise<void>;
  /** Key shares are keyed by the address they control (the chain address produced by the DKG). */
  getKeyShare(chainAddress: ChainID): Promise<RegistryKeyShare | null>;
  putKeyShare(chainAddress: ChainID, share: RegistryKeyShare): Promise<void>;
}
