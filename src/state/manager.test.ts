import { describe, expect, it } from 'vitest';
import { AddressKind, balancesOf, COLOR_IOTA, encodeSCPayload, toHex, transactionId, type TransactionID, type ValueTransaction } from '../protocol';
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
    expect(out.some((a) => a.kind === 'event' && /Refused block #1 from liar: its mutations give state hash/.test(a.event.text))).toBe(true);
    expect(sm.syncRefusals).toEqual([{ peer: 'liar', blockIndex: 1, reason: expect.stringMatching(/^its mutations give state hash/) }]);
    expect(sm.state.blockIndex).toBe(0);
    expect(out.find((a) => a.kind === 'syncRequest')).toMatchObject({ to: 'honest', blockIndex: 1 }); // at once
    feed({ kind: 'syncBlock', nowMs: 7, from: 'honest', block: b });
    expect(sm.state.blockIndex).toBe(1);
  });
});

describe('state manager: sync cannot be poisoned', () => {
  const forge = (b: Block): Block => ({ ...b, updates: [{ ...(b.updates[0] as Block['updates'][number]), mutations: [{ kind: 'set', key: Uint8Array.of(0, 0, 0, 1, 7), value: Uint8Array.of(6) }] }] });
  /** An L1 transaction anyone could post: a state section that matches the forged block, but not the chain's anchor. */
  function forgedAnchor(chain: SyntheticChain, block: Block, opts: { spendPrev: boolean; chainToken: boolean }) {
    const hash = VirtualState.origin().hashAfter(block);
    const attacker = { kind: AddressKind.Ed25519, digest: new Uint8Array(32).fill(0xa7) };
    const tx: ValueTransaction = {
      inputs: [{ txId: opts.spendPrev ? chain.anchors[0]!.txId : new Uint8Array(32).fill(0xa8), address: opts.spendPrev ? chain.chainAddress : attacker }],
      outputs: [{ address: chain.chainAddress, balances: balancesOf(opts.chainToken ? [[chain.chainColor, 1n]] : [[COLOR_IOTA, 1n]]) }],
      dataPayload: encodeSCPayload({ state: { chainColor: chain.chainColor, blockIndex: block.blockIndex, timestamp: block.timestamp, stateHash: hash }, requests: [] }),
      signatures: [],
    };
    return { tx, txId: transactionId(tx) };
  }

  for (const [what, opts, reason] of [
    ['does not spend the previous anchor output', { spendPrev: false, chainToken: true }, /does not spend the chain's previous anchor output/],
    ['does not carry the chain token (not a valid SC transaction then)', { spendPrev: true, chainToken: false }, /not a valid SC transaction/],
  ] as const) {
    it(`refuses a forged block whose anchor matches its state hash but ${what}; the peer is recorded and asked last`, () => {
      const chain = syntheticChain(2);
      const { sm, feed, utxo } = driver(chain, ['liar', 'honest']);
      const forged0 = forge(chain.blocks[1] as Block);
      const fake = forgedAnchor(chain, forged0, opts);
      const forged: Block = { ...forged0, anchorTxId: fake.txId };
      utxo(2, 0);
      const out = feed({ kind: 'syncBlock', nowMs: 5, from: 'liar', block: forged });
      // The driver only knows the chain's own anchors: hand the forged one over as L1 would (it is confirmed there).
      const got = [...out, ...feed({ kind: 'transaction', nowMs: 6, tx: fake.tx, txId: fake.txId })];
      expect(kinds(got)).not.toContain('commit');
      expect(sm.state.blockIndex).toBe(0);
      expect(sm.syncRefusals.map((r) => [r.peer, r.blockIndex])).toEqual([['liar', 1]]);
      expect(sm.syncRefusals[0]?.reason).toMatch(reason);
      expect(got.find((a) => a.kind === 'syncRequest')).toMatchObject({ to: 'honest', blockIndex: 1 });
      const after1 = feed({ kind: 'syncBlock', nowMs: 8, from: 'honest', block: chain.blocks[1] as Block });
      expect(sm.state.blockIndex).toBe(1);
      // Block #2 goes to the honest peer first, and when it does not answer, the recorded liar is not next: the
      // honest one is asked again (the liar comes only once no other peer is left).
      expect(after1.find((a) => a.kind === 'syncRequest')).toMatchObject({ to: 'honest', blockIndex: 2 });
      expect(feed({ kind: 'tick', nowMs: 8 + STATE_MANAGER_PARAMS.syncRetryMs }).find((a) => a.kind === 'syncRequest')).toMatchObject({ to: 'honest', blockIndex: 2 });
    });
  }

  it('takes a block only from the peer it asked', () => {
    const chain = syntheticChain(1);
    const { sm, feed, utxo } = driver(chain, ['p1', 'p2']);
    expect(utxo(1, 0).find((a) => a.kind === 'syncRequest')).toMatchObject({ to: 'p1' });
    feed({ kind: 'syncBlock', nowMs: 1, from: 'p2', block: chain.blocks[1] as Block });
    expect(sm.state.blockIndex).toBe(0);
    feed({ kind: 'syncBlock', nowMs: 2, from: 'p1', block: chain.blocks[1] as Block });
    expect(sm.state.blockIndex).toBe(1);
  });

  it('drops a block naming an anchor L1 never produces, after syncAnchorWaitMs, and asks the next peer', () => {
    const chain = syntheticChain(1);
    const { sm, feed, utxo } = driver(chain, ['liar', 'honest']);
    utxo(1, 0);
    const b: Block = { ...(chain.blocks[1] as Block), anchorTxId: new Uint8Array(32).fill(0x5a) };
    feed({ kind: 'syncBlock', nowMs: 1, from: 'liar', block: b });
    expect(kinds(feed({ kind: 'tick', nowMs: STATE_MANAGER_PARAMS.syncAnchorWaitMs }))).not.toContain('syncRequest');
    const next = feed({ kind: 'tick', nowMs: 1 + STATE_MANAGER_PARAMS.syncAnchorWaitMs }).find((a) => a.kind === 'syncRequest');
    expect(next).toMatchObject({ to: 'honest', blockIndex: 1 });
    expect(sm.syncRefusals[0]?.reason).toMatch(/is not a confirmed transaction on L1/);
  });
});
