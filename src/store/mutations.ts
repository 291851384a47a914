import { decodeAll, Writer } from '../protocol/codec';
import { toHex } from '../protocol/bytes';
import { StoreError } from '../state/store';
import type { Mutation } from '../state/types';
import { STATE_LIMITS } from '../state/vstate-limits';

/** Pure: how the IndexedDB and file stores write a block's net mutations, and apply them to a working state. */

/** A block's net mutations can number up to every update's maximum. */
const PACKED_MUTATIONS_MAX = STATE_LIMITS.updatesPerBlockMax * STATE_LIMITS.mutationsPerUpdateMax;

/** Mutations as one byte string: u32 count, then per mutation kind (0 set / 1 del), key, value (set only). */
export function packMutations(mutations: readonly Mutation[]): Uint8Array {
  if (mutations.length > PACKED_MUTATIONS_MAX) throw new StoreError('bad-argument', `too many mutations in one block: ${mutations.length}`);
  const w = new Writer();
  w.u32(mutations.length);
  for (const m of mutations) {
    if (m.kind === 'set') w.u8(0).bytes(m.key).bytes(m.value);
    else w.u8(1).bytes(m.key);
  }
  return w.finish();
}

export function unpackMutations(bytes: Uint8Array): Mutation[] {
  return decodeAll(bytes, 'packed mutations', (r) => {
    const n = r.count(PACKED_MUTATIONS_MAX, 'mutations');
    const out: Mutation[] = [];
    for (let i = 0; i < n; i++) {
      const kind = r.u8('mutation kind');
      const key = r.bytes(STATE_LIMITS.keyBytesMax, 'state key');
      if (kind === 0) out.push({ kind: 'set', key, value: r.bytes(STATE_LIMITS.valueBytesMax, 'state value') });
      else if (kind === 1) out.push({ kind: 'del', key });
      else throw new StoreError('io', `stored mutation of unknown kind ${kind}`);
    }
    return out;
  });
}


/** The working state of a store: hex(key) → value. Values are copied in so callers cannot alias them. */
export function applyMutations(kv: Map<string, Uint8Array>, mutations: readonly Mutation[]): void {
  for (const m of mutations) {
    if (m.kind === 'set') kv.set(toHex(m.key), m.value.slice());
    else kv.delete(toHex(m.key));
  }
}
