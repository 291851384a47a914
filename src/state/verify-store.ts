import { compareBytes, equalBytes, toHex, type ChainID } from '../protocol';
import type { SolidStateStore, StoredChainState } from './store';
import type { Block } from './types';
import { VirtualState } from './vstate';

/** One of the last blocks replayed: what a dashboard shows of it after a reload. */
export interface ReplayedBlock {
  readonly block: Block;
  /** The state hash after it. */
  readonly stateHash: Uint8Array;
}

/**
 * The verified solid state (and the last `keepLast` blocks replayed, oldest first), or why the stored one cannot
 * be trusted.
 */
export type StoreVerdict = { readonly ok: true; readonly state: VirtualState; readonly last: readonly ReplayedBlock[] } | { readonly ok: false; readonly problem: string };

/**
 * Rebuilds a chain's state from its stored blocks and checks it against what the store says it is: every block
 * #1..#L present and in order, the state hash chain over them ending at the stored state hash, the last block's
 * anchor the stored anchor, and the key/value pairs exactly those the blocks give. The state hash is a chain
 * over block hashes, not over the pairs, so a store whose pairs were edited would otherwise load fine and make
 * this node compute other results than its committee. O(mutations of the whole chain): a reload replays it once.
 */
export async function verifyStoredChain(store: SolidStateStore, chainId: ChainID, stored: StoredChainState, keepLast = 0): Promise<StoreVerdict> {
  const state = VirtualState.origin();
  const last: ReplayedBlock[] = [];
  for (let i = 1; i <= stored.blockIndex; i++) {
    const b = await store.getBlock(chainId, i);
    if (!b) return { ok: false, problem: `block #${i} of ${stored.blockIndex} is missing` };
    if (b.blockIndex !== i) return { ok: false, problem: `the record of block #${i} holds block #${b.blockIndex}` };
    try {
      state.applyBlock(b);
    } catch (e) {
      return { ok: false, problem: `block #${i} cannot be applied (${e instanceof Error ? e.message : String(e)})` };
    }
    if (i === stored.blockIndex && !equalBytes(b.anchorTxId, stored.anchorTxId)) return { ok: false, problem: `block #${i} names another anchor than the stored one` };
    if (i > stored.blockIndex - keepLast) last.push({ block: b, stateHash: state.stateHash });
  }
  if (!equalBytes(state.stateHash, stored.stateHash)) return { ok: false, problem: `its blocks give state hash ${toHex(state.stateHash).slice(0, 12)}…, the store says ${toHex(stored.stateHash).slice(0, 12)}…` };
  const differ = pairsDiffer(state, stored.entries);
  if (differ !== null) return { ok: false, problem: `its key/value pairs are not what its blocks give (${differ})` };
  return { ok: true, state, last };
}

function pairsDiffer(state: VirtualState, entries: StoredChainState['entries']): string | null {
  if (state.size !== entries.length) return `${entries.length} pairs stored, the blocks give ${state.size}`;
  for (const [k, v] of entries) {
    const mine = state.get(k);
    if (!mine || compareBytes(mine, v) !== 0) return `key ${toHex(k).slice(0, 16)}… differs`;
  }
  return null;
}
