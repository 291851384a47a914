import {
  DecodeError,
  decodeAll,
  readAddress,
  readRequestID,
  TX_ID_SIZE,
  writeAddress,
  Writer,
  writeRequestID,
  type Address,
  type Reader,
  type RequestID,
  type TransactionID,
} from '../protocol';
import { CONSENSUS_PARAMS } from './params';

/**
 * Committee messages of the consensus operator (spec "The consensus algorithm" steps 2, 6, 9, 13).
 * Every message names the round it belongs to: the anchor transaction the state is built on (which also fixes
 * the block index) and the leader's position along the permutation. Messages of another round are ignored,
 * so a late or duplicated message can never be mixed into the wrong computation.
 */
export interface RoundId {
  /** ID of the anchor transaction of the current state (the permutation seed). */
  readonly anchorTxId: TransactionID;
  /** Block index of the current state; the round builds block blockIndex + 1. */
  readonly blockIndex: number;
  /** Position along the leader permutation (0 = first leader; +1 per rotation). */
  readonly leaderPos: number;
}

/** Step 2: a member tells the leader which backlog requests it can process now. Full set, not a delta. */
export interface RequestNotificationMsg {
  readonly kind: 'requestNotification';
  readonly round: RoundId;
  readonly requestIds: readonly RequestID[];
}

/** Step 5/6a: the leader's computation context. UTXOs follow from the anchor tx and the request txs. */
export interface ComputationContextMsg {
  readonly kind: 'computationContext';
  readonly round: RoundId;
  /** Unix ns: max(leader clock, previous state timestamp + 1). */
  readonly timestamp: bigint;
  /** Step 5c: the leader's reward address (rewards are not enabled; carried for completeness and the log). */
  readonly rewardAddress: Address;
  /** Ordered batch: strictly increasing request ID bytes. */
  readonly requestIds: readonly RequestID[];
  /**
   * Stray outputs in the chain address the anchor sweeps (strictly increasing tx ID bytes; absent = none). Each
   * member checks it sees the same stray, so the anchor's inputs and the owner's credit are the same everywhere.
   */
  readonly strayTxIds?: readonly TransactionID[];
}

/** Step 9: hash(context ‖ result) and the partial signature of the anchor essence. */
export interface ResultAndPartialSigMsg {
  readonly kind: 'resultAndPartialSig';
  readonly round: RoundId;
  /** Hash of the context as the member received it (lets the leader tell "other context" from "other result"). */
  readonly contextHash: Uint8Array;
  readonly resultHash: Uint8Array;
  readonly partialSig: Uint8Array;
}

/** Step 13: the leader tells the committee it posted the anchor. */
export interface AnchorPostedMsg {
  readonly kind: 'anchorPosted';
  readonly round: RoundId;
  readonly anchorTxId: TransactionID;
}

export type ConsensusMsg = RequestNotificationMsg | ComputationContextMsg | ResultAndPartialSigMsg | AnchorPostedMsg;

const TAG = { requestNotification: 1, computationContext: 2, resultAndPartialSig: 3, anchorPosted: 4 } as const;
const HASH = 32;
const PARTIAL_SIG_MAX = 96;

export function writeRound(w: Writer, r: RoundId): void {
  w.fixed(r.anchorTxId, TX_ID_SIZE).u32(r.blockIndex).u32(r.leaderPos);
}
export function readRound(r: Reader): RoundId {
  return { anchorTxId: r.fixed(TX_ID_SIZE, 'round anchor'), blockIndex: r.u32('round block index'), leaderPos: r.u32('round leader position') };
}

function writeIds(w: Writer, ids: readonly RequestID[], max: number): void {
  if (ids.length > max) throw new RangeError(`too many request IDs: ${ids.length} > ${max}`);
  w.u32(ids.length);
  for (const id of ids) writeRequestID(w, id);
}
function writeTxIds(w: Writer, ids: readonly TransactionID[], max: number): void {
  if (ids.length > max) throw new RangeError(`too many stray tx IDs: ${ids.length} > ${max}`);
  w.u32(ids.length);
  for (const id of ids) w.fixed(id, TX_ID_SIZE);
}
function readStrays(r: Reader): { strayTxIds?: TransactionID[] } {
  const n = r.count(CONSENSUS_PARAMS.batchStraysMax, 'stray tx IDs');
  const out: TransactionID[] = [];
  for (let i = 0; i < n; i++) out.push(r.fixed(TX_ID_SIZE, 'stray tx ID'));
  // Absent and empty encode the same, so they decode the same (the context hash is over the bytes).
  return n === 0 ? {} : { strayTxIds: out };
}
function readIds(r: Reader, max: number): RequestID[] {
  const n = r.count(max, 'request IDs');
  const out: RequestID[] = [];
  for (let i = 0; i < n; i++) out.push(readRequestID(r));
  return out;
}

export function encodeConsensusMsg(m: ConsensusMsg): Uint8Array {
  const w = new Writer();
  w.u8(TAG[m.kind]);
  writeRound(w, m.round);
  switch (m.kind) {
    case 'requestNotification':
      writeIds(w, m.requestIds, CONSENSUS_PARAMS.notificationRequestsMax);
      break;
    case 'computationContext':
      w.i64(m.timestamp);
      writeAddress(w, m.rewardAddress);
      writeIds(w, m.requestIds, CONSENSUS_PARAMS.batchRequestsMax);
      writeTxIds(w, m.strayTxIds ?? [], CONSENSUS_PARAMS.batchStraysMax);
      break;
    case 'resultAndPartialSig':
      w.fixed(m.contextHash, HASH).fixed(m.resultHash, HASH).bytes(m.partialSig);
      break;
    case 'anchorPosted':
      w.fixed(m.anchorTxId, TX_ID_SIZE);
      break;
  }
  return w.finish();
}

/** Strict decoder (bounded counts, no trailing bytes); throws only DecodeError. */
export function decodeConsensusMsg(bytes: Uint8Array): ConsensusMsg {
  return decodeAll(bytes, 'consensus message', (r): ConsensusMsg => {
    const at = r.offset;
    const tag = r.u8('consensus message tag');
    const round = readRound(r);
    switch (tag) {
      case TAG.requestNotification:
        return { kind: 'requestNotification', round, requestIds: readIds(r, CONSENSUS_PARAMS.notificationRequestsMax) };
      case TAG.computationContext:
        return { kind: 'computationContext', round, timestamp: r.i64('timestamp'), rewardAddress: readAddress(r), requestIds: readIds(r, CONSENSUS_PARAMS.batchRequestsMax), ...readStrays(r) };
      case TAG.resultAndPartialSig:
        return { kind: 'resultAndPartialSig', round, contextHash: r.fixed(HASH, 'context hash'), resultHash: r.fixed(HASH, 'result hash'), partialSig: r.bytes(PARTIAL_SIG_MAX, 'partial signature') };
      case TAG.anchorPosted:
        return { kind: 'anchorPosted', round, anchorTxId: r.fixed(TX_ID_SIZE, 'anchor tx ID') };
      default:
        throw new DecodeError(`unknown consensus message tag ${tag}`, at);
    }
  });
}
