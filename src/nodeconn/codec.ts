import { decodeAll, Writer, type Reader } from '../protocol/codec';
import { compareBytes } from '../protocol/bytes';
import { DecodeError } from '../protocol/errors';
import { blake2b256 } from '../protocol/hash';
import { readAddress, writeAddress, TX_ID_SIZE, type TransactionID } from '../protocol/ids';
import { readBalances, writeBalances } from '../protocol/balances';
import { decodeTransaction, encodeTransaction, type ValueTransaction } from '../protocol/transaction';
import { NODECONN_LIMITS } from './limits';
import {
  INCLUSION_STATES,
  type AddressOutput,
  type NodeConnMessage,
  type WaspFromNode,
  type WaspToNode,
} from './messages';

/**
 * Strict binary codec: one type byte, then the body; no trailing bytes. wasp→node types are 1..7 and
 * node→wasp types are 64..67, so a frame is never ambiguous about its direction.
 */
const TYPE = {
  waspToNodeTransaction: 1,
  waspToNodeSubscribe: 2,
  waspToNodeGetConfirmedTransaction: 3,
  waspToNodeGetTxInclusionLevel: 4,
  waspToNodeGetOutputs: 5,
  waspToNodeSetId: 6,
  waspToNodeRequestFunds: 7,
  waspFromNodeConfirmedTransaction: 64,
  waspFromNodeAddressUpdate: 65,
  waspFromNodeAddressOutputs: 66,
  waspFromNodeTransactionInclusionState: 67,
} as const satisfies Record<NodeConnMessage['kind'], number>;

export function encodeNodeConnMessage(m: NodeConnMessage): Uint8Array {
  const w = new Writer();
  w.u8(TYPE[m.kind]);
  switch (m.kind) {
    case 'waspToNodeTransaction':
    case 'waspFromNodeConfirmedTransaction':
      writeTx(w, m.tx);
      break;
    case 'waspToNodeSubscribe':
    case 'waspToNodeGetOutputs':
    case 'waspToNodeRequestFunds':
      writeAddress(w, m.address);
      break;
    case 'waspToNodeGetConfirmedTransaction':
      w.fixed(m.txId, TX_ID_SIZE);
      break;
    case 'waspToNodeGetTxInclusionLevel':
      w.fixed(m.txId, TX_ID_SIZE);
      writeAddress(w, m.address);
      break;
    case 'waspToNodeSetId':
      w.string(m.id);
      break;
    case 'waspFromNodeAddressUpdate':
      writeAddress(w, m.address);
      writeOutputs(w, m.outputs);
      writeTx(w, m.tx);
      break;
    case 'waspFromNodeAddressOutputs':
      writeAddress(w, m.address);
      writeOutputs(w, m.outputs);
      break;
    case 'waspFromNodeTransactionInclusionState':
      w.fixed(m.txId, TX_ID_SIZE);
      writeAddress(w, m.address);
      w.u8(INCLUSION_STATES.indexOf(m.state));
      w.string(m.reason);
      break;
  }
  return w.finish();
}

/**
 * A well-framed waspToNodeTransaction whose transaction does not decode (no outputs, 3,000 inputs, unsorted…).
 * The peer is not speaking garbage, its transaction is bad: the hub answers it (rejected, with `what` as the
 * reason) and keeps the stream. `txId` is the hash of the transaction bytes as sent, which is the ID the sender
 * computed if it encoded canonically (a tx ID is blake2b-256 of the encoding), so its pending question is answered.
 */
export class MalformedTransactionError extends DecodeError {
  constructor(
    readonly txId: TransactionID,
    /** What the transaction decoder refused, without the frame context. */
    readonly reason: string,
    offset: number,
  ) {
    super(`transaction: ${reason}`, offset);
  }
}

/** Decodes either direction; throws only DecodeError (MalformedTransactionError for a bad transaction in a good frame). */
export function decodeNodeConnMessage(bytes: Uint8Array): NodeConnMessage {
  if (bytes.length > NODECONN_LIMITS.frameBytesMax) throw new DecodeError(`nodeconn message too large: ${bytes.length} bytes`, 0);
  return decodeAll(bytes, 'nodeconn message', readMessage);
}

export function decodeWaspToNode(bytes: Uint8Array): WaspToNode {
  const m = decodeNodeConnMessage(bytes);
  if (!m.kind.startsWith('waspToNode')) throw new DecodeError(`expected a waspToNode message, got ${m.kind}`, 0);
  return m as WaspToNode;
}

export function decodeWaspFromNode(bytes: Uint8Array): WaspFromNode {
  const m = decodeNodeConnMessage(bytes);
  if (!m.kind.startsWith('waspFromNode')) throw new DecodeError(`expected a waspFromNode message, got ${m.kind}`, 0);
  return m as WaspFromNode;
}

function readMessage(r: Reader): NodeConnMessage {
  const at = r.offset;
  const type = r.u8('message type');
  switch (type) {
    case TYPE.waspToNodeTransaction:
      return { kind: 'waspToNodeTransaction', tx: readPostedTx(r) };
    case TYPE.waspToNodeSubscribe:
      return { kind: 'waspToNodeSubscribe', address: readAddress(r) };
    case TYPE.waspToNodeGetConfirmedTransaction:
      return { kind: 'waspToNodeGetConfirmedTransaction', txId: r.fixed(TX_ID_SIZE, 'tx ID') };
    case TYPE.waspToNodeGetTxInclusionLevel:
      return { kind: 'waspToNodeGetTxInclusionLevel', txId: r.fixed(TX_ID_SIZE, 'tx ID'), address: readAddress(r) };
    case TYPE.waspToNodeGetOutputs:
      return { kind: 'waspToNodeGetOutputs', address: readAddress(r) };
    case TYPE.waspToNodeSetId:
      return { kind: 'waspToNodeSetId', id: r.string(NODECONN_LIMITS.idBytesMax, 'wasp ID') };
    case TYPE.waspToNodeRequestFunds:
      return { kind: 'waspToNodeRequestFunds', address: readAddress(r) };
    case TYPE.waspFromNodeConfirmedTransaction:
      return { kind: 'waspFromNodeConfirmedTransaction', tx: readTx(r) };
    case TYPE.waspFromNodeAddressUpdate: {
      const address = readAddress(r);
      const outputs = readOutputs(r);
      return { kind: 'waspFromNodeAddressUpdate', address, outputs, tx: readTx(r) };
    }
    case TYPE.waspFromNodeAddressOutputs: {
      const address = readAddress(r);
      return { kind: 'waspFromNodeAddressOutputs', address, outputs: readOutputs(r) };
    }
    case TYPE.waspFromNodeTransactionInclusionState: {
      const txId = r.fixed(TX_ID_SIZE, 'tx ID');
      const address = readAddress(r);
      const sAt = r.offset;
      const state = INCLUSION_STATES[r.u8('inclusion state')];
      if (state === undefined) throw new DecodeError('unknown inclusion state', sAt);
      const reason = r.string(NODECONN_LIMITS.reasonBytesMax, 'reason');
      return { kind: 'waspFromNodeTransactionInclusionState', txId, address, state, reason };
    }
    default:
      throw new DecodeError(`unknown nodeconn message type ${type}`, at);
  }
}

function writeTx(w: Writer, tx: ValueTransaction): void {
  w.bytes(encodeTransaction(tx));
}
function readTx(r: Reader): ValueTransaction {
  const at = r.offset;
  const b = r.bytes(NODECONN_LIMITS.transactionBytesMax, 'transaction');
  try {
    return decodeTransaction(b);
  } catch (e) {
    // Re-base the offset so the error points into the frame, not into the nested buffer.
    if (e instanceof DecodeError) throw new DecodeError(`transaction: ${e.what}`, at + 4 + e.offset);
    throw e;
  }
}

/**
 * The transaction of a waspToNodeTransaction, its last field: once its length prefix matches the rest of the
 * frame exactly, the framing is sound and anything wrong is the transaction's (MalformedTransactionError).
 */
function readPostedTx(r: Reader): ValueTransaction {
  const at = r.offset;
  const len = r.u32('transaction length');
  if (len !== r.remaining) throw new DecodeError(`transaction length ${len} does not match the ${r.remaining} bytes left in the frame`, at);
  const b = r.fixed(len, 'transaction');
  try {
    return decodeTransaction(b); // refuses more than NODECONN_LIMITS.transactionBytesMax (= LIMITS.transactionBytesMax) itself
  } catch (e) {
    if (e instanceof DecodeError) throw new MalformedTransactionError(blake2b256(b), e.what, at + 4 + e.offset);
    throw e;
  }
}

/** Outputs sorted by tx ID (each tx has at most one output per address), so the encoding is canonical. */
function writeOutputs(w: Writer, outputs: readonly AddressOutput[]): void {
  if (outputs.length > NODECONN_LIMITS.outputsPerMessageMax) throw new RangeError(`too many outputs: ${outputs.length}`);
  const sorted = [...outputs].sort((a, b) => compareBytes(a.txId, b.txId));
  w.u32(sorted.length);
  for (const o of sorted) {
    w.fixed(o.txId, TX_ID_SIZE);
    writeBalances(w, o.balances);
  }
}
function readOutputs(r: Reader): AddressOutput[] {
  const n = r.count(NODECONN_LIMITS.outputsPerMessageMax, 'outputs');
  const out: AddressOutput[] = [];
  for (let i = 0; i < n; i++) {
    const at = r.offset;
    const txId = r.fixed(TX_ID_SIZE, 'output tx ID');
    const prev = out[out.length - 1];
    if (prev && compareBytes(prev.txId, txId) >= 0) throw new DecodeError('outputs not strictly increasing by tx ID', at);
    out.push({ txId, balances: readBalances(r, 'output balances') });
  }
  return out;
}

