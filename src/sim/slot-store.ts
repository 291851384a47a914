import type { Address, RequestID } from '../protocol';
import type { SolidStateStore, StoredChainState } from '../state/store';
import type { Block, Mutation } from '../state/types';

/** Who watches a node's store: the scheduled faults (tampering on reload), Byzantine forgers, the safety invariants. */
export interface StoreWatchers {
  loadedState(index: number, r: StoredChainState | null): StoredChainState | null;
  loadedBlock(index: number, blockIndex: number, b: Block | null): Block | null;
  storeReset(index: number): void;
  /** A Byzantine member committed a block (a forger keeps it to forge on top). */
  byzantineCommit(index: number, chain: Address, block: Block): void;
  /** An honest member committed a block: checked against the safety invariants as it happens. */
  honestCommit(index: number, chain: Address, block: Block, hash: Uint8Array, ids: readonly RequestID[]): void;
}

/**
 * The store a simulated node gets: the real in-memory store with the watchers called around it. One wrapper
 * with the watchers' synchronous calls inside (not one wrapper per concern): each call keeps the one `await`
 * of the real store, so the nodes' async work interleaves exactly as with a single wrapper.
 * `byzantine` is the member's role at creation (a member turned Byzantine later is still checked as honest here).
 */
export function watchedStore(inner: SolidStateStore, index: number, byzantine: boolean, w: StoreWatchers): SolidStateStore {
  return {
    loadChain: async (c) => w.loadedState(index, await inner.loadChain(c)),
    getBlock: async (c, i) => w.loadedBlock(index, i, await inner.getBlock(c, i)),
    isRequestProcessed: (c, id) => inner.isRequestProcessed(c, id),
    resetChain: async (c) => {
      await inner.resetChain(c);
      w.storeReset(index);
    },
    commitBlock: async (c, block: Block, muts: readonly Mutation[], hash: Uint8Array, ids: readonly RequestID[]) => {
      await inner.commitBlock(c, block, muts, hash, ids);
      if (byzantine) w.byzantineCommit(index, c, block);
      else w.honestCommit(index, c, block, hash, ids);
    },
  };
}
