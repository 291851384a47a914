import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { blake2b256, DecodeError, utf8, ValidationError } from '../protocol';
import { blockHash, decodeBlock, encodeBlock, makeBlock, nextStateHash, ORIGIN_STATE_HASH } from './block';
import { VirtualState, VirtualStateBuffer } from './vstate';
import type { Block, StateUpdate } from './types';

const k = (s: string) => utf8(s);
const upd = (ts: bigint, muts: StateUpdate['mutations']): StateUpdate => ({ timestamp: ts, mutations: muts });

describe('VirtualState', () => {
  it('starts as the origin state', () => {
    const s = VirtualState.origin();
    expect(s.blockIndex).toBe(0);
    expect(s.timestamp).toBe(0n);
    expect(s.stateHash).toEqual(ORIGIN_STATE_HASH);
    expect(ORIGIN_STATE_HASH).toEqual(blake2b256(utf8('iscp/origin-state/v1')));
  });

  it('applies a block, chains the hash and lists keys by prefix in byte order', () => {
    const s = VirtualState.origin();
    const b = makeBlock(1, [
      upd(100n, [{ kind: 'set', key: k('ab'), value: k('1') }, { kind: 'set', key: k('b'), value: k('2') }]),
      upd(101n, [{ kind: 'set', key: k('a'), value: k('3') }, { kind: 'del', key: k('b') }]),
    ]);
    s.applyBlock(b);
    expect(s.blockIndex).toBe(1);
    expect(s.timestamp).toBe(101n);
    expect(s.stateHash).toEqual(nextStateHash(ORIGIN_STATE_HASH, blockHash(b)));
    expect(s.keys(k('a')).map((x) => new TextDecoder().decode(x))).toEqual(['a', 'ab']);
    expect(s.has(k('b'))).toBe(false);
  });

  it('rejects wrong index, non-increasing timestamps and bad update spacing without changing anything', () => {
    const s = VirtualState.origin();
    s.applyBlock(makeBlock(1, [upd(10n, [{ kind: 'set', key: k('x'), value: k('1') }])]));
    const before = s.stateHash;
    expect(() => s.applyBlock(makeBlock(3, [upd(20n, [])]))).toThrow(ValidationError);
    expect(() => s.applyBlock(makeBlock(2, [upd(10n, [])]))).toThrow(/not after/);
    const bad: Block = { blockIndex: 2, timestamp: 22n, updates: [upd(20n, []), upd(22n, [])], anchorTxId: new Uint8Array(32) };
    expect(() => s.applyBlock(bad)).toThrow(/expected 21/);
    const emptyKey: Block = { blockIndex: 2, timestamp: 30n, updates: [upd(30n, [{ kind: 'set', key: new Uint8Array(0), value: k('v') }])], anchorTxId: new Uint8Array(32) };
    expect(() => s.applyBlock(emptyKey)).toThrow(/non-empty/);
    expect(s.stateHash).toEqual(before);
    expect(s.blockIndex).toBe(1);
    expect(s.get(k('x'))).toEqual(k('1'));
  });

  it('block hash excludes anchorTxId; encoding round-trips and is strict', () => {
    const b = makeBlock(5, [{ requestId: { txId: new Uint8Array(32).fill(7), index: 3 }, timestamp: 9n, mutations: [{ kind: 'del', key: k('q') }] }]);
    const b2: Block = { ...b, anchorTxId: new Uint8Array(32).fill(1) };
    expect(blockHash(b)).toEqual(blockHash(b2));
    const bytes = encodeBlock(b2);
    expect(decodeBlock(bytes)).toEqual(b2);
    expect(() => decodeBlock(Uint8Array.from([...bytes, 0]))).toThrow(DecodeError);
    expect(() => decodeBlock(bytes.subarray(0, bytes.length - 1))).toThrow(DecodeError);
    const badTs = encodeBlock({ ...b2, timestamp: 8n });
    expect(() => decodeBlock(badTs)).toThrow(DecodeError);
  });

  it('replaying the same blocks gives the same hash; hashAfter predicts applyBlock', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 4 }), fc.option(fc.string({ maxLength: 4 }))), { minLength: 1, maxLength: 30 }), (ops) => {
        const b = makeBlock(1, [upd(1n, ops.map(([key, v]) => (v === null ? { kind: 'del' as const, key: k(key) } : { kind: 'set' as const, key: k(key), value: k(v) })))]);
        const a = VirtualState.origin();
        const c = VirtualState.origin();
        const predicted = a.hashAfter(b);
        a.applyBlock(b);
        c.applyBlock(decodeBlock(encodeBlock(b)));
        expect(a.stateHash).toEqual(predicted);
        expect(a.entries()).toEqual(c.entries());
      }),
    );
  });
});

describe('VirtualState key order', () => {
  it('keys() stays sorted and exact across many blocks of sets and deletes (incremental merge)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 3 }), fc.boolean()), { maxLength: 12 }), { minLength: 1, maxLength: 8 }), (blocks) => {
        const s = VirtualState.origin();
        const model = new Map<string, string>();
        blocks.forEach((ops, i) => {
          s.applyBlock(makeBlock(i + 1, [upd(BigInt(i + 1) * 10n, ops.map(([key, del]) => (del ? { kind: 'del' as const, key: k(key) } : { kind: 'set' as const, key: k(key), value: k('v') })))]));
          for (const [key, del] of ops) if (del) model.delete(key); else model.set(key, 'v');
          if (i % 2 === 0) {
            const expected = [...model.keys()].map((x) => k(x)).sort((a, b) => (Buffer.compare(a, b)));
            expect(s.keys(new Uint8Array(0))).toEqual(expected);
          }
        });
        expect(s.clone().keys(new Uint8Array(0))).toEqual(s.keys(new Uint8Array(0)));
        expect(s.size).toBe(model.size);
      }),
      { numRuns: 60 },
    );
  });
});

describe('VirtualStateBuffer', () => {
  it('overlays reads, gives net sorted mutations, and rolls back', () => {
    const s = VirtualState.origin();
    s.applyBlock(makeBlock(1, [upd(1n, [{ kind: 'set', key: k('a'), value: k('1') }, { kind: 'set', key: k('c'), value: k('3') }])]));
    const batch = new VirtualStateBuffer(s);
    const req = new VirtualStateBuffer(batch);
    req.set(k('b'), k('2'));
    req.del(k('a'));
    req.set(k('c'), k('3')); // same as base: no mutation
    req.set(k('z'), k('9'));
    req.del(k('z')); // never existed in base: no mutation
    expect(req.keys(new Uint8Array([])).map((x) => new TextDecoder().decode(x))).toEqual(['b', 'c']);
    expect(req.mutations()).toEqual([{ kind: 'del', key: k('a') }, { kind: 'set', key: k('b'), value: k('2') }]);
    batch.applyMutations(req.mutations());
    expect(batch.get(k('a'))).toBeUndefined();
    const req2 = new VirtualStateBuffer(batch);
    req2.set(k('d'), k('4'));
    req2.rollback();
    expect(req2.mutations()).toEqual([]);
    expect(s.get(k('a'))).toEqual(k('1')); // solid state untouched
  });

  it('commitTo writes the same net mutations as applyMutations(mutations()), and returns them', () => {
    const s = VirtualState.origin();
    s.applyBlock(makeBlock(1, [upd(1n, [{ kind: 'set', key: k('a'), value: k('1') }, { kind: 'set', key: k('c'), value: k('3') }])]));
    const fill = (b: VirtualStateBuffer): void => {
      b.set(k('b'), k('2'));
      b.del(k('a'));
      b.set(k('c'), k('3'));
      b.set(k('z'), k('9'));
      b.del(k('z'));
    };
    const viaApply = new VirtualStateBuffer(s);
    const viaCommit = new VirtualStateBuffer(s);
    const r1 = new VirtualStateBuffer(viaApply);
    const r2 = new VirtualStateBuffer(viaCommit);
    fill(r1);
    fill(r2);
    const expected = r1.mutations();
    viaApply.applyMutations(expected);
    expect(r2.commitTo(viaCommit)).toEqual(expected);
    expect(viaCommit.mutations()).toEqual(viaApply.mutations());
    for (const key of ['a', 'b', 'c', 'z']) expect(viaCommit.get(k(key))).toEqual(viaApply.get(k(key)));
  });
});
