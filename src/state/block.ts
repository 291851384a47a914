import {
  blake2b256,
  decodeAll,
  DecodeError,
  readRequestID,
  TX_ID_SIZE,
  utf8,
  ValidationError,
  Writer,
  writeRequestID,
  type Reader,
} from '../protocol';
import type { Block, Mutation, StateUpdate } from './types';
import { STATE_LIMITS } from './vstate-limits';

/**
 * Hash of the origin (empty) virtual state. The spec only says it is "deterministically known"; we define it
 * as blake2b-256 of a fixed domain string so it can never collide with a hash of real block bytes.
 * See docs/decisions/vm-state-hash.md.
 */
export const ORIGIN_STATE_HASH: Uint8Array = blake2b256(utf8('iscp/origin-state/v1'));

const MUTATION_SET = 0;
const MUTATION_DEL = 1;

function writeMutation(w: Writer, m: Mutation): void {
  if (m.kind === 'set') w.u8(MUTATION_SET).bytes(m.key).bytes(m.value);
  else w.u8(MUTATION_DEL).bytes(m.key);
}

function readMutation(r: Reader): Mutation {
  const at = r.offset;
  const kind = r.u8('mutation kind');
  const key = r.bytes(STATE_LIMITS.keyBytesMax, 'state key');
  if (key.length === 0) throw new DecodeError('empty state key', at);
  if (kind === MUTATION_SET) return { kind: 'set', key, value: r.bytes(STATE_LIMITS.valueBytesMax, 'state value') };
  if (kind === MUTATION_DEL) return { kind: 'del', key };
  throw new DecodeError(`unknown mutation kind ${kind}`, at);
}

export function writeStateUpdate(w: Writer, u: StateUpdate): void {
  w.bool(u.requestId !== undefined);
  if (u.requestId) writeRequestID(w, u.requestId);
  w.i64(u.timestamp);
  w.u32(u.mutations.length);
  for (const m of u.mutations) writeMutation(w, m);
}

export function readStateUpdate(r: Reader): StateUpdate {
  const requestId = r.bool('request flag') ? readRequestID(r) : undefined;
  const timestamp = r.i64('update timestamp');
  const n = r.count(STATE_LIMITS.mutationsPerUpdateMax, 'mutations');
  const mutations: Mutation[] = [];
  for (let i = 0; i < n; i++) mutations.push(readMutation(r));
  return requestId ? { requestId, timestamp, mutations } : { timestamp, mutations };
}

/** The hashed part of a block: everything except anchorTxId (which depends on the hash; see types.ts). */
function writeBlockEssence(w: Writer, b: Block): void {
  w.u32(b.blockIndex).i64(b.timestamp).u32(b.updates.length);
  for (const u of b.updates) writeStateUpdate(w, u);
}

export function encodeBlock(b: Block): Uint8Array {
  const w = new Writer();
  writeBlockEssence(w, b);
  w.fixed(b.anchorTxId, TX_ID_SIZE);
  return w.finish();
}

/** Strict: bounds checked, no trailing bytes, and the block's own timestamp rules hold (validateBlockShape). */
export function decodeBlock(bytes: Uint8Array): Block {
  const block = decodeBlockUnchecked(bytes);
  try {
    validateBlockShape(block);
  } catch (e) {
    if (e instanceof ValidationError) throw new DecodeError(e.message, 0);
    throw e;
  }
  return block;
}

/**
 * The codec alone (bounds and trailing bytes checked) without the shape rules: for stores that hand back exactly
 * the block they were given, which the state manager validated before committing it.
 */
export function decodeBlockUnchecked(bytes: Uint8Array): Block {
  return decodeAll(bytes, 'block', (r): Block => {
    const blockIndex = r.u32('blockIndex');
    const timestamp = r.i64('block timestamp');
    const n = r.count(STATE_LIMITS.updatesPerBlockMax, 'state updates');
    const updates: StateUpdate[] = [];
    for (let i = 0; i < n; i++) updates.push(readStateUpdate(r));
    const anchorTxId = r.fixed(TX_ID_SIZE, 'anchorTxId');
    return { blockIndex, timestamp, updates, anchorTxId };
  });
}

/**
 * Block hashes by the block's updates array. A node hashes the same block three times (the VM's state hash, the
 * consensus result, applying it), each time in a new Block object (makeBlock, the anchor ID spread in) around the
 * same updates, and a 200-request block is ~100 kB to encode and hash. Blocks and their updates are immutable
 * values; the index and timestamp (the rest of the essence) are compared, so only the same essence hits.
 */
const hashByUpdates = new WeakMap<readonly StateUpdate[], { readonly blockIndex: number; readonly timestamp: bigint; readonly hash: Uint8Array }>();

/** blake2b-256 of the block essence (anchorTxId excluded). */
export function blockHash(b: Block): Uint8Array {
  const known = hashByUpdates.get(b.updates);
  if (known && known.blockIndex === b.blockIndex && known.timestamp === b.timestamp) return known.hash.slice();
  const w = new Writer();
  writeBlockEssence(w, b);
  const hash = blake2b256(w.finish());
  hashByUpdates.set(b.updates, { blockIndex: b.blockIndex, timestamp: b.timestamp, hash });
  return hash.slice();
}

/** The spec's StateHash(N) = hash(StateHash(N-1) ‖ hash(block N)). */
export function nextStateHash(prevStateHash: Uint8Array, blockHashValue: Uint8Array): Uint8Array {
  return blake2b256(prevStateHash, blockHashValue);
}

/**
 * Rules a block satisfies on its own: at least one update, update i's timestamp = first + i ns (spec: the
 * consensus sets the first, each next is exactly 1 ns later), block timestamp = last update's.
 */
export function validateBlockShape(b: Block): void {
  if (b.updates.length === 0) throw new ValidationError('block', 'a block has at least one state update');
  if (b.updates.length > STATE_LIMITS.updatesPerBlockMax) throw new ValidationError('block', `too many updates: ${b.updates.length}`);
  const first = (b.updates[0] as StateUpdate).timestamp;
  b.updates.forEach((u, i) => {
    if (u.timestamp !== first + BigInt(i)) {
      throw new ValidationError('block timestamps', `update ${i} has timestamp ${u.timestamp}, expected ${first + BigInt(i)}`);
    }
    if (u.mutations.length > STATE_LIMITS.mutationsPerUpdateMax) throw new ValidationError('block', `update ${i}: too many mutations`);
  });
  const last = (b.updates[b.updates.length - 1] as StateUpdate).timestamp;
  if (b.timestamp !== last) throw new ValidationError('block timestamps', `block timestamp ${b.timestamp} != last update's ${last}`);
}

/** Builds a block from a VM result's updates; anchorTxId defaults to zeros until the anchor is known. */
export function makeBlock(blockIndex: number, updates: readonly StateUpdate[], anchorTxId: Uint8Array = new Uint8Array(TX_ID_SIZE)): Block {
  const last = updates[updates.length - 1];
  if (!last) throw new ValidationError('block', 'a block has at least one state update');
  const b: Block = { blockIndex, timestamp: last.timestamp, updates, anchorTxId };
  validateBlockShape(b);
  return b;
}
