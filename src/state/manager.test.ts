import { describe, expect, it } from 'vitest';
import { toHex, type TransactionID } from '../protocol';
import { bookedOutputBalances } from '../consensus/backlog';
import { StateManager, STATE_MANAGER_PARAMS, type StateManagerAction, type StateManagerEvent } from './manager';
import { syntheticChain, type SyntheticChain } from './manager.fixture';
import { VirtualState } from './vstate';
import type { Block } from './types';

/** Drives a state manager, answering its L1 transaction requests from the fixture; returns every action. */
function driver(chain: SyntheticChain, peers: readonly string[] = ['p1', 'p2']) {
  const sm = new StateManager(chain.chainAddress, chain.chainColor, peers, { state: VirtualState.origin(), anchorTxId: null });
  const byId = new Map(chain.anchors.map((a) => [toHex(a.txId), a.tx]));
  const log: StateManagerAction[] = [];
  const feed = (ev: StateManagerEvent): StateManagerAction[] => {
    const out: StateManagerAction[] = [];
    const queue: StateManagerEvent[] = [ev];
    for (let i = 0; i < queue.length && i < 10_000; i++) {
      for (const a of sm.handle(queue[i] as StateManagerEvent)) {
        out.push(a);
        if (a.kind === 'getTx') {
          const tx = byId.get(toHex(a.txId));
          if (tx) queue.push({ kind: 'transaction', nowMs: ev.nowMs, tx, txId: a.txId });
        }
      }
    }
    log.push(...out);
    return out;
  };
  const utxo = (i: number, nowMs: number) => {
    const a = chain.anchors[i] as { tx: Parameters<typeof bookedOutputBalances>[0]; txId: TransactionID };
    return feed({ kind: 'chainUtxo', nowMs, utxo: { txId: a.txId, balances: bookedOutputBalances(a.tx, a.txId, chain.chainAddress) as Map<string, bigint> } });
  };
  return { sm, feed, utxo, log };
}

const kinds = (as: readonly StateManagerAction[]) => as.map((a) => a.kind);

describe('state manager', () => {
  it('commits its own block only when the confirmed anchor holding the chain token carries its state hash', () => {
    const chain = syntheticChain(2);
    const { sm, feed, utxo } = driver(chain);
    expect(kinds(utxo(0, 0))).toContain('stateTransition'); // origin is solid
    const b1 = chain.blocks[1] as Block;
    // A candidate with another state hash is never committed.
    feed({ kind: 'pendingBlock', nowMs: 1, block: b1, stateHash: new Uint8Array(32).fill(9), requestIds: [] });
    expect(sm.state.blockIndex).toBe(0);
    feed({ kind: 'pendingBlock', nowMs: 1, block: b1, stateHash: chain.stateHashes[1] as Uint8Array, requestIds: [] });
    expect(sm.state.blockIndex).toBe(0); // no anchor yet
    const out = utxo(1, 2);
    expect(kinds(out)).toEqual(expect.arrayContaining(['commit', 'stateTransition']));
    expect(kinds(out)).not.toContain('syncRequest');
    expect(sm.state.blockIndex).toBe(1);
    expect(toHex(sm.state.stateHash)).toBe(toHex(chain.stateHashes[1] as Uint8Array));
  });

  it('an anchor for a different state than its candidate makes it sync from a peer instead', () => {
    const chain = syntheticChain(1);
    const { sm, feed, utxo } = driver(chain);
    utxo(0, 0);
    feed({ kind: 'pendingBlock', nowMs: 1, block: chain.blocks[1] as Block, stateHash: new Uint8Array(32).fill(9), requestIds: [] });
    const out = utxo(1, 2);
    expect(out.find((a) => a.kind === 'syncRequest')).toMatchObject({ blockIndex: 1 });
    expect(sm.state.blockIndex).toBe(0);
  });

  it('syncs block by block from peers, rotating to the next peer when one does not answer within the retry time', () => {
    const chain = syntheticChain(3);
    const { sm, feed, utxo } = driver(chain, ['silent', 'good']);
    const first = utxo(3, 0).find((a) => a.kind === 'syncRequest');
    expect(first).toMatchObject({ to: 'silent', blockIndex: 1 });
    expect(kinds(feed({ kind: 'tick', nowMs: STATE_MANAGER_PARAMS.syncRetryMs - 1 }))).not.toContain('syncRequest');
    const retry = feed({ kind: 'tick', nowMs: STATE_MANAGER_PARAMS.syncRetryMs }).find((a) => a.kind === 'syncRequest');
    expect(retry).toMatchObject({ to: 'good', blockIndex: 1 });
    let now = STATE_MANAGER_PARAMS.syncRetryMs;
    for (let i = 1; i <= 3; i++) {
      const out = feed({ kind: 'syncBlock', nowMs: ++now, from: 'good', block: chain.blocks[i] as Block });
      expect(out.filter((a) => a.kind === 'commit')).toHaveLength(1);
    }
    expect(sm.state.blockIndex).toBe(3);
    expect(sm.synced).toBe(true);
  });

  it('rejects a synced block whose state hash does not match its anchor and asks another peer', () => {
    const chain = syntheticChain(1);
    const { sm, feed, utxo } = driver(chain, ['liar', 'honest']);
    utxo(1, 0);
    const b = chain.blocks[1] as Block;
    const forged: Block = { ...b, updates: [{ ...(b.updates[0] as Block['updates'][number]), mutations: [{ kind: 'set', key: Uint8Array.of(0, 0, 0, 1, 7), value: Uint8Array.of(6) }] }] };
    const out = feed({ kind: 'syncBlock', nowMs: 5, from: 'liar', block: forged });
    expect(kinds(out)).not.toContain('commit');
    expect(out.some((a) => a.kind === 'event' && /does not match its anchor/.test(a.event.text))).toBe(true);
    expect(sm.state.blockIndex).toBe(0);
    const next = feed({ kind: 'tick', nowMs: 6 }).find((a) => a.kind === 'syncRequest');
    expect(next).toMatchObject({ to: 'honest', blockIndex: 1 });
    feed({ kind: 'syncBlock', nowMs: 7, from: 'honest', block: b });
    expect(sm.state.blockIndex).toBe(1);
  });
});
