import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { registryComplianceSuite, storeComplianceSuite } from '../state/store.compliance';
import { AddressKind, addressFromPublicKey } from '../protocol/ids';
import { IdbRegistry, IdbSolidStateStore, openNodeDatabase, packMutations, unpackMutations } from './idb-store';

let n = 0;
const fresh = () => `test-${Date.now()}-${n++}`;
const names = new WeakMap<object, string>();

storeComplianceSuite(
  'indexeddb',
  async () => {
    const name = fresh();
    const s = new IdbSolidStateStore(await openNodeDatabase(name));
    names.set(s, name);
    return s;
  },
  // Reopen = a new connection and a new instance with an empty cache: what a reloaded tab gets.
  async (s) => new IdbSolidStateStore(await openNodeDatabase(names.get(s) as string)),
);
registryComplianceSuite('indexeddb', async () => new IdbRegistry(await openNodeDatabase(fresh())));

describe('IndexedDB store specifics', () => {
  const chain = addressFromPublicKey(AddressKind.BLS, Uint8Array.of(9));
  const enc = (s: string) => new TextEncoder().encode(s);

  it('packs and unpacks mutations exactly', () => {
    const muts = [
      { kind: 'set' as const, key: enc('a'), value: Uint8Array.of(1, 2) },
      { kind: 'del' as const, key: enc('b') },
      { kind: 'set' as const, key: enc('c'), value: new Uint8Array(0) },
    ];
    expect(unpackMutations(packMutations(muts))).toEqual(muts);
  });

  it('writes a block as two records in one transaction and rebuilds state and processed IDs on reopen', async () => {
    const name = fresh();
    const db = await openNodeDatabase(name);
    const s = new IdbSolidStateStore(db);
    for (let i = 1; i <= 20; i++) {
      const m = [{ kind: 'set' as const, key: enc(`k${i % 5}`), value: Uint8Array.of(i) }];
      const rid = { txId: new Uint8Array(32).fill(i), index: 0 };
      await s.commitBlock(chain, { blockIndex: i, timestamp: BigInt(i), anchorTxId: new Uint8Array(32).fill(i), updates: [{ requestId: rid, timestamp: BigInt(i), mutations: m }] }, m, new Uint8Array(32).fill(i), [rid]);
    }
    expect(await db.count('blocks')).toBe(20);
    expect(await db.count('heads')).toBe(1);
    const s2 = new IdbSolidStateStore(await openNodeDatabase(name));
    const st = await s2.loadChain(chain);
    expect(st?.blockIndex).toBe(20);
    expect(st?.entries.map(([, v]) => v[0])).toEqual([20, 16, 17, 18, 19]);
    for (let i = 1; i <= 20; i++) expect(await s2.isRequestProcessed(chain, { txId: new Uint8Array(32).fill(i), index: 0 })).toBe(true);
  });

  it('concurrent commits of the same index: exactly one wins', async () => {
    const s = new IdbSolidStateStore(await openNodeDatabase(fresh()));
    const b = { blockIndex: 1, timestamp: 1n, anchorTxId: new Uint8Array(32), updates: [] };
    const results = await Promise.allSettled([s.commitBlock(chain, b, [], new Uint8Array(32), []), s.commitBlock(chain, b, [], new Uint8Array(32), [])]);
    expect(results.filter((r) => r.status === 'fulfilled').length).toBe(1);
    expect((await s.loadChain(chain))?.blockIndex).toBe(1);
  });
});
