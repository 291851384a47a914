import { describe, expect, it } from 'vitest';
import { syntheticChain } from './manager.fixture';
import { MemorySolidStateStore } from './store-memory';
import type { SolidStateStore, StoredChainState } from './store';
import type { Block } from './types';
import { verifyStoredChain } from './verify-store';

/** A memory store holding the synthetic chain's blocks #1..#k, committed as a node does. */
async function storeOf(k: number) {
  const chain = syntheticChain(k);
  const store = new MemorySolidStateStore();
  for (let i = 1; i <= k; i++) {
    const b = chain.blocks[i] as Block;
    await store.commitBlock(chain.chainAddress, b, b.updates.flatMap((u) => u.mutations), chain.stateHashes[i] as Uint8Array, []);
  }
  return { chain, store, stored: (await store.loadChain(chain.chainAddress)) as StoredChainState };
}

describe('verifyStoredChain', () => {
  it('accepts a store whose state is what its blocks give, and returns that state', async () => {
    const { chain, store, stored } = await storeOf(4);
    const v = await verifyStoredChain(store, chain.chainAddress, stored);
    expect(v.ok).toBe(true);
    if (v.ok) expect(v.state.stateHash).toEqual(chain.stateHashes[4]);
  });

  it('hands back the last blocks it replayed with the state hash after each (what a reloaded dashboard lists)', async () => {
    const { chain, store, stored } = await storeOf(5);
    const v = await verifyStoredChain(store, chain.chainAddress, stored, 3);
    if (!v.ok) throw new Error(v.problem);
    expect(v.last.map((r) => r.block.blockIndex)).toEqual([3, 4, 5]);
    expect(v.last.map((r) => r.stateHash)).toEqual([chain.stateHashes[3], chain.stateHashes[4], chain.stateHashes[5]]);
    const none = await verifyStoredChain(store, chain.chainAddress, stored);
    expect(none.ok && none.last).toEqual([]);
  });

  it('refuses an edited value, a missing pair, another state hash, another anchor and an edited block', async () => {
    const { chain, store, stored } = await storeOf(3);
    const check = (s: StoredChainState, st: SolidStateStore = store) => verifyStoredChain(st, chain.chainAddress, s);
    const [first, ...rest] = stored.entries as [readonly [Uint8Array, Uint8Array], ...(readonly [Uint8Array, Uint8Array])[]];
    const edited = first[1].slice();
    edited[0] = (edited[0] as number) ^ 1;
    expect(await check({ ...stored, entries: [[first[0], edited], ...rest] })).toMatchObject({ ok: false, problem: expect.stringMatching(/key .* differs/) });
    expect(await check({ ...stored, entries: rest })).toMatchObject({ ok: false, problem: expect.stringMatching(/pairs stored, the blocks give/) });
    expect(await check({ ...stored, stateHash: new Uint8Array(32) })).toMatchObject({ ok: false, problem: expect.stringMatching(/its blocks give state hash/) });
    expect(await check({ ...stored, anchorTxId: new Uint8Array(32) })).toMatchObject({ ok: false, problem: expect.stringMatching(/another anchor/) });
    const b2 = chain.blocks[2] as Block;
    const editedBlock: SolidStateStore = {

      loadChain: (c) => store.loadChain(c),
      commitBlock: (...a) => store.commitBlock(...a),
      isRequestProcessed: (c, id) => store.isRequestProcessed(c, id),
      resetChain: (c) => store.resetChain(c),
      getBlock: async (c, i) => (i === 2 ? { ...b2, updates: [{ ...(b2.updates[0] as Block['updates'][number]), mutations: [] }] } : store.getBlock(c, i)),
    };
    expect(await check(stored, editedBlock)).toMatchObject({ ok: false, problem: expect.stringMatching(/its blocks give state hash/) });
    const missing: SolidStateStore = { ...editedBlock, getBlock: async (c, i) => (i === 2 ? null : store.getBlock(c, i)) };
    expect(await check(stored, missing)).toMatchObject({ ok: false, problem: 'block #2 of 3 is missing' });
  });
});
