import { describe, expect, it } from 'vitest';
import { AddressKind, addressFromPublicKey, type ChainID } from '../protocol/ids';
import type { Block, Mutation } from './types';
import { StoreError, type Registry, type RegistryKeyShare, type SolidStateStore } from './store';

/**
 * Compliance suites (js-libp2p style): every SolidStateStore / Registry implementation must pass these.
 * Call from a *.test.ts file: `storeComplianceSuite('indexeddb', () => makeFreshStore())`.
 * `makeStore` must return a FRESH, empty store each call; `reopen` (optional) returns a store reading the same
 * durable data, to check what survives a restart.
 */
export function storeComplianceSuite(
  name: string,
  makeStore: () => Promise<SolidStateStore> | SolidStateStore,
  reopen?: (store: SolidStateStore) => Promise<SolidStateStore> | SolidStateStore,
): void {
  const chainA: ChainID = addressFromPublicKey(AddressKind.BLS, Uint8Array.of(1));
  const chainB: ChainID = addressFromPublicKey(AddressKind.BLS, Uint8Array.of(2));
  const key = (s: string) => new TextEncoder().encode(s);
  const hash = (n: number) => new Uint8Array(32).fill(n);
  const block = (i: number, updates: Mutation[][] = []): Block => ({
    blockIndex: i,
    timestamp: BigInt(1000 + i),
    anchorTxId: hash(100 + i),
    updates: updates.map((mutations, k) => ({ requestId: { txId: hash(50 + i), index: k }, timestamp: BigInt(1000 + i), mutations })),
  });
  const set = (k: string, v: number): Mutation => ({ kind: 'set', key: key(k), value: Uint8Array.of(v) });
  const del = (k: string): Mutation => ({ kind: 'del', key: key(k) });

  describe(`SolidStateStore compliance: ${name}`, () => {
    it('an unknown chain loads as null and has no blocks', async () => {
      const s = await makeStore();
      expect(await s.loadChain(chainA)).toBeNull();
      expect(await s.getBlock(chainA, 0)).toBeNull();
      expect(await s.getBlock(chainA, 1)).toBeNull();
      expect(await s.isRequestProcessed(chainA, { txId: hash(1), index: 0 })).toBe(false);
    });

    it('commits blocks in order, applies mutations, keeps history and processed requests', async () => {
      const s = await makeStore();
      await s.commitBlock(chainA, block(1), [], hash(1), []);
      const muts1 = [set('b', 2), set('a', 1), set('c', 3)];
      await s.commitBlock(chainA, block(2, [muts1]), muts1, hash(2), [{ txId: hash(51), index: 0 }]);
      const muts2 = [del('b'), set('a', 9)];
      await s.commitBlock(chainA, block(3, [muts2]), muts2, hash(3), [{ txId: hash(52), index: 0 }]);
      const st = await s.loadChain(chainA);
      expect(st?.blockIndex).toBe(3);
      expect(st?.stateHash).toEqual(hash(3));
      expect(st?.timestamp).toBe(1003n);
      expect(st?.anchorTxId).toEqual(hash(103));
      expect(st?.entries.map(([k, v]) => [new TextDecoder().decode(k), v[0]])).toEqual([
        ['a', 9],
        ['c', 3],
      ]);
      expect(await s.getBlock(chainA, 2)).toEqual(block(2, [muts1]));
      expect(await s.getBlock(chainA, 4)).toBeNull();
      expect(await s.isRequestProcessed(chainA, { txId: hash(51), index: 0 })).toBe(true);
      expect(await s.isRequestProcessed(chainA, { txId: hash(51), index: 1 })).toBe(false);
    });

    it('refuses a non-sequential or repeated block and changes nothing', async () => {
      const s = await makeStore();
      await expect(s.commitBlock(chainA, block(2), [set('x', 1)], hash(1), [])).rejects.toMatchObject({ code: 'non-sequential-block' });
      await s.commitBlock(chainA, block(1), [], hash(1), []);
      const err = await s.commitBlock(chainA, block(1), [set('x', 1)], hash(9), [{ txId: hash(9), index: 0 }]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect((err as StoreError).code).toBe('non-sequential-block');
      await expect(s.commitBlock(chainA, block(3), [], hash(9), [])).rejects.toMatchObject({ code: 'non-sequential-block' });
      const st = await s.loadChain(chainA);
      expect(st?.blockIndex).toBe(1);
      expect(st?.stateHash).toEqual(hash(1));
      expect(st?.entries).toEqual([]);
      expect(await s.isRequestProcessed(chainA, { txId: hash(9), index: 0 })).toBe(false);
    });

    it('resetChain forgets one chain whole (blocks, state, processed requests); the next commit is block #1 again', async () => {
      const s = await makeStore();
      const rid = { txId: hash(50), index: 0 };
      await s.commitBlock(chainA, block(1, [[set('a', 1)]]), [set('a', 1)], hash(1), [rid]);
      await s.commitBlock(chainA, block(2, [[set('b', 2)]]), [set('b', 2)], hash(2), []);
      await s.commitBlock(chainB, block(1), [set('k', 3)], hash(3), []);
      await s.resetChain(chainA);
      expect(await s.loadChain(chainA)).toBeNull();
      expect(await s.getBlock(chainA, 1)).toBeNull();
      expect(await s.getBlock(chainA, 2)).toBeNull();
      expect(await s.isRequestProcessed(chainA, rid)).toBe(false);
      expect((await s.loadChain(chainB))?.blockIndex).toBe(1);
      await s.commitBlock(chainA, block(1), [set('c', 4)], hash(4), []);
      expect((await s.loadChain(chainA))?.entries.map(([, v]) => v[0])).toEqual([4]);
      if (reopen) {
        const s2 = await reopen(s);
        expect((await s2.loadChain(chainA))?.entries.map(([, v]) => v[0])).toEqual([4]);
        expect(await s2.getBlock(chainA, 2)).toBeNull();
      }
    });

    it('keeps chains apart', async () => {
      const s = await makeStore();
      await s.commitBlock(chainA, block(1), [set('k', 1)], hash(1), []);
      await s.commitBlock(chainB, block(1), [set('k', 2)], hash(2), []);
      expect((await s.loadChain(chainA))?.entries[0]?.[1]).toEqual(Uint8Array.of(1));
      expect((await s.loadChain(chainB))?.entries[0]?.[1]).toEqual(Uint8Array.of(2));
    });

    it('does not alias caller bytes: mutating an input after commit changes nothing stored', async () => {
      const s = await makeStore();
      const m = set('k', 1);
      const h = hash(1);
      await s.commitBlock(chainA, block(1, [[m]]), [m], h, []);
      (m as { value: Uint8Array }).value[0] = 99;
      h[0] = 99;
      const st = await s.loadChain(chainA);
      expect(st?.entries[0]?.[1]).toEqual(Uint8Array.of(1));
      expect(st?.stateHash).toEqual(hash(1));
    });

    if (reopen) {
      it('survives a reopen (restart)', async () => {
        const s = await makeStore();
        const muts = [set('a', 1)];
        await s.commitBlock(chainA, block(1, [muts]), muts, hash(1), [{ txId: hash(50), index: 0 }]);
        const s2 = await reopen(s);
        const st = await s2.loadChain(chainA);
        expect(st?.blockIndex).toBe(1);
        expect(st?.entries.length).toBe(1);
        expect(await s2.getBlock(chainA, 1)).toEqual(block(1, [muts]));
        expect(await s2.isRequestProcessed(chainA, { txId: hash(50), index: 0 })).toBe(true);
      });
    }
  });
}

export function registryComplianceSuite(name: string, makeRegistry: () => Promise<Registry> | Registry): void {
  const chainA: ChainID = addressFromPublicKey(AddressKind.BLS, Uint8Array.of(1));
  const chainB: ChainID = addressFromPublicKey(AddressKind.BLS, Uint8Array.of(2));
  const record = (chainAddress: ChainID, myIndex: number | null = 1) => ({
    chainAddress,
    chainColor: new Uint8Array(32).fill(7),
    committeeNodeIds: ['aa', 'bb', 'cc', 'dd'],
    n: 4,
    t: 3,
    myIndex,
  });
  const share: RegistryKeyShare = {
    n: 4,
    t: 3,
    index: 1,
    masterPublicKey: new Uint8Array(96).fill(1),
    publicShares: [0, 1, 2, 3].map((i) => new Uint8Array(96).fill(10 + i)),
    privateShare: new Uint8Array(32).fill(5),
  };

  describe(`Registry compliance: ${name}`, () => {
    it('stores node identity, bootup records and key shares', async () => {
      const r = await makeRegistry();
      expect(await r.getNodeIdentity()).toBeNull();
      await r.putNodeIdentity({ publicKey: new Uint8Array(32).fill(1), secretKey: new Uint8Array(32).fill(2) });
      expect((await r.getNodeIdentity())?.publicKey).toEqual(new Uint8Array(32).fill(1));
      expect(await r.listBootupRecords()).toEqual([]);
      await r.putBootupRecord(record(chainA));
      await r.putBootupRecord(record(chainB, null));
      expect((await r.listBootupRecords()).length).toBe(2);
      expect(await r.getBootupRecord(chainB)).toEqual(record(chainB, null));
      await r.putBootupRecord(record(chainA, 2));
      expect((await r.getBootupRecord(chainA))?.myIndex).toBe(2);
      await r.removeBootupRecord(chainA);
      expect(await r.getBootupRecord(chainA)).toBeNull();
      expect(await r.getKeyShare(chainA)).toBeNull();
      await r.putKeyShare(chainA, share);
      expect(await r.getKeyShare(chainA)).toEqual(share);
    });

    it('refuses a bootup record that breaks n/t/index rules', async () => {
      const r = await makeRegistry();
      await expect(r.putBootupRecord({ ...record(chainA), t: 2 })).rejects.toMatchObject({ code: 'bad-argument' });
      await expect(r.putBootupRecord({ ...record(chainA), n: 5 })).rejects.toMatchObject({ code: 'bad-argument' });
      await expect(r.putBootupRecord({ ...record(chainA), myIndex: 4 })).rejects.toMatchObject({ code: 'bad-argument' });
      await expect(r.putBootupRecord({ ...record(chainA), committeeNodeIds: ['aa', 'aa', 'cc', 'dd'] })).rejects.toMatchObject({ code: 'bad-argument' });
      expect(await r.listBootupRecords()).toEqual([]);
    });
  });
}
