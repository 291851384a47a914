import { describe, expect, it } from 'vitest';
import { AddressKind, colorKey, encodeSCPayload, transactionId, txIdToString, type Address, type ValueTransaction } from '../protocol';
import { DEFAULT_TIMEOUTS } from '../consensus/params';
import { VirtualState } from '../state/vstate';
import type { WaspFromNode } from '../nodeconn/messages';
import { Committee, type CommitteeAction } from './committee';

const chainAddress: Address = { kind: AddressKind.BLS, digest: new Uint8Array(32).fill(9) };
const chainColor = new Uint8Array(32).fill(7);
const wallet: Address = { kind: AddressKind.Ed25519, digest: new Uint8Array(32).fill(3) };
const ids = ['aa', 'bb', 'cc', 'dd'].map((c) => c.repeat(32));

/** A member without a key share (no operator): the anchor list must not depend on being leader or signer. */
function member(myNodeId = ids[1] as string): Committee {
  return new Committee({
    record: { chainAddress, chainColor, committeeNodeIds: ids, n: 4, t: 3, myIndex: ids.indexOf(myNodeId) },
    myNodeId,
    signer: null,
    timeouts: DEFAULT_TIMEOUTS,
    rewardAddress: wallet,
    isRequestProcessed: () => false,
    restored: { state: VirtualState.origin(), anchorTxId: null },
  });
}

/** An anchor as L1 carries it: spends the chain-token UTXO, state section with the chain's color. */
function anchorTx(blockIndex: number, color = chainColor, spendsChain = true): ValueTransaction {
  return {
    inputs: [{ txId: new Uint8Array(32).fill(blockIndex + 1), address: spendsChain ? chainAddress : wallet }],
    outputs: [{ address: chainAddress, balances: new Map([[colorKey(color), 1n]]) }],
    dataPayload: encodeSCPayload({ state: { chainColor: color, blockIndex, timestamp: 1n, stateHash: new Uint8Array(32).fill(blockIndex) }, requests: [] }),
    signatures: [],
  };
}

const update = (tx: ValueTransaction): WaspFromNode => ({ kind: 'waspFromNodeAddressUpdate', address: chainAddress, outputs: [{ txId: transactionId(tx), balances: new Map() }], tx });
const inclusion = (tx: ValueTransaction, state: 'booked' | 'confirmed' | 'rejected'): WaspFromNode => ({ kind: 'waspFromNodeTransactionInclusionState', txId: transactionId(tx), address: chainAddress, state, reason: state === 'rejected' ? 'double spend' : '' });
const posted = (tx: ValueTransaction, blockIndex: number) => ({ kind: 'anchorPosted' as const, round: { anchorTxId: new Uint8Array(32), blockIndex: blockIndex - 1, leaderPos: 0 }, anchorTxId: transactionId(tx) });
const inclusionQueries = (acts: CommitteeAction[]) => acts.filter((a) => a.kind === 'l1Send' && a.msg.kind === 'waspToNodeGetTxInclusionLevel').length;

describe('committee anchor list', () => {
  it('a member learns the leader posted an anchor, polls L1, and shows booked → confirmed (never back)', () => {
    const c = member();
    const a1 = anchorTx(1);
    c.onPeerMessage(ids[0] as string, posted(a1, 1), 1_000);
    expect(c.anchors).toEqual([{ txId: txIdToString(transactionId(a1)), blockIndex: 1, state: 'posted' }]);
    expect(inclusionQueries(c.tick(2_100))).toBe(1);
    c.onL1Message(inclusion(a1, 'booked'), 2_200);
    expect(c.anchors[0]?.state).toBe('booked');
    c.onL1Message(update(a1), 2_300); // L1 confirmed it: the chain address got the new chain-token UTXO
    expect(c.anchors[0]?.state).toBe('confirmed');
    c.onL1Message(inclusion(a1, 'booked'), 2_400); // a late answer to an earlier poll
    expect(c.anchors[0]?.state).toBe('confirmed');
    expect(inclusionQueries(c.tick(5_000))).toBe(0); // final: no more polling
  });

  it('a member that never heard anchorPosted still lists every confirmed anchor from L1, in block order', () => {
    const c = member(ids[3]);
    const [a1, a2, a3] = [anchorTx(1), anchorTx(2), anchorTx(3)];
    c.onL1Message(update(a2), 10);
    c.onL1Message({ kind: 'waspFromNodeConfirmedTransaction', tx: a1 }, 20); // e.g. fetched after a restart
    c.onL1Message(update(a3), 30);
    expect(c.anchors.map((a) => [a.blockIndex, a.state])).toEqual([
      [1, 'confirmed'],
      [2, 'confirmed'],
      [3, 'confirmed'],
    ]);
  });

  it('a rejected anchor shows rejected on a member (learned by polling); other transactions are not anchors', () => {
    const c = member();
    const bad = anchorTx(4);
    c.onPeerMessage(ids[2] as string, posted(bad, 4), 0);
    c.tick(1_500);
    c.onL1Message(inclusion(bad, 'rejected'), 1_600);
    expect(c.anchors).toEqual([{ txId: txIdToString(transactionId(bad)), blockIndex: 4, state: 'rejected' }]);
    expect(inclusionQueries(c.tick(3_000))).toBe(0);
    // A request tx (spends a wallet output), another chain's anchor, and an anchorPosted from outside the committee.
    c.onL1Message(update(anchorTx(5, chainColor, false)), 3_100);
    c.onL1Message(update(anchorTx(5, new Uint8Array(32).fill(1))), 3_200);
    c.onPeerMessage('ee'.repeat(32), posted(anchorTx(6), 6), 3_300);
    // An inclusion answer about a transaction that is not an anchor of ours adds nothing.
    c.onL1Message(inclusion(anchorTx(7), 'confirmed'), 3_400);
    expect(c.anchors).toHaveLength(1);
  });

  it('polls a pending anchor only for a bounded time', () => {
    const c = member();
    c.onPeerMessage(ids[0] as string, posted(anchorTx(1), 1), 0);
    let polls = 0;
    for (let t = 100; t <= 120_000; t += 100) polls += inclusionQueries(c.tick(t));
    expect(polls).toBeGreaterThan(30);
    expect(polls).toBeLessThanOrEqual(61);
    expect(c.anchors[0]?.state).toBe('posted');
  });
});
