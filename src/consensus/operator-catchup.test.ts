import { describe, expect, it } from 'vitest';
import { AddressKind, blake2b256, COLOR_IOTA, balancesOf, hname, transactionId, type RequestID } from '../protocol';
import { ed25519KeyPairFromSeed } from '../crypto/ed25519';
import { buildRequestTx } from '../chain/deploy';
import { syntheticChain } from '../state/manager.fixture';
import { VirtualState } from '../state/vstate';
import { Backlog, bookedOutputBalances } from './backlog';
import { ConsensusOperator, type OperatorAction, type OperatorBase } from './operator';
import { leaderAt, leaderPermutation } from './permutation';
import { CONSENSUS_PARAMS } from './params';
import type { ComputationContextMsg, ConsensusMsg } from './messages';
import type { ThresholdSigner } from './signer';

/** Catch-up to a later leader position (issue #12: one Byzantine member must not steer honest members' rounds). */

const NOW = 1_700_000_000_000;
const TIMEOUTS = { leaderProposalMs: 1_000, resultsMs: 1_000, anchorConfirmMs: 2_000, resendMs: 300, inclusionPollMs: 200 };
const HOLD = TIMEOUTS.leaderProposalMs * CONSENSUS_PARAMS.catchUpHoldShare;
const N = 4;

const sig48 = (...parts: Uint8Array[]): Uint8Array => {
  const h = blake2b256(...parts);
  return Uint8Array.of(...h, ...h.slice(0, 16));
};
const fakeSigner = (index: number): ThresholdSigner => ({
  n: N,
  t: 3,
  index,
  masterPublicKey: new Uint8Array(96).fill(7),
  partialSign: (m) => sig48(m),
  verifyPartial: () => true,
  combine: (ps) => sig48(...ps.map((p) => p.signature)),
  verifyMaster: () => true,
});

/** A member (not the first leader) at the origin state with two one-request transactions (the second maybe unloaded). */
function setup(opts: { loadSecond?: boolean } = {}) {
  const chain = syntheticChain(0);
  const origin = chain.anchors[0] as (typeof chain.anchors)[number];
  const perm = leaderPermutation(origin.txId, N);
  const me = perm[1] as number;
  const wallet = ed25519KeyPairFromSeed(new Uint8Array(32).fill(3));
  const backlog = new Backlog(chain.chainAddress, chain.chainColor, 1_000);
  const txs = [4, 5].map((fill) =>
    buildRequestTx(wallet, [{ id: { txId: new Uint8Array(32).fill(fill), address: wallet.address }, balances: balancesOf([[COLOR_IOTA, 100n]]) }], [
      { target: { chainId: chain.chainAddress, hname: hname('accounts') }, entryPoint: hname('deposit') },
    ]),
  );
  const ids = txs.map((tx) => transactionId(tx));
  backlog.setOutputs(txs.map((tx, i) => ({ txId: ids[i] as Uint8Array, balances: bookedOutputBalances(tx, ids[i] as Uint8Array, chain.chainAddress) as Map<string, bigint> })));
  backlog.onTransaction(txs[0]!, ids[0]!);
  if (opts.loadSecond !== false) backlog.onTransaction(txs[1]!, ids[1]!);
  const op = new ConsensusOperator(
    { chainAddress: chain.chainAddress, chainColor: chain.chainColor, signer: fakeSigner(me), timeouts: TIMEOUTS, rewardAddress: { kind: AddressKind.Ed25519, digest: new Uint8Array(32) }, isRequestProcessed: () => false },
    backlog,
  );
  const base: OperatorBase = { state: VirtualState.origin(), anchorTx: origin.tx, anchorTxId: origin.txId, chainUtxo: { txId: origin.txId, balances: bookedOutputBalances(origin.tx, origin.txId, chain.chainAddress) as Map<string, bigint> } };
  op.handle({ kind: 'stateTransition', nowMs: NOW, base });
  const requestIds: RequestID[] = ids.map((txId) => ({ txId, index: 0 })).sort((a, b) => Buffer.compare(Buffer.from(a.txId), Buffer.from(b.txId)));
  /** The first later position (after `after`) led by someone other than this node; its leader. */
  const ahead = (after: number, notLeader = me): { pos: number; leader: number } => {
    for (let p = after + 1; ; p++) if (leaderAt(perm, p) !== notLeader) return { pos: p, leader: leaderAt(perm, p) };
  };
  const ctx = (leaderPos: number, over: Partial<ComputationContextMsg> = {}): ComputationContextMsg => ({
    kind: 'computationContext',
    round: { anchorTxId: origin.txId, blockIndex: 0, leaderPos },
    timestamp: BigInt(NOW) * 1_000_000n,
    rewardAddress: { kind: AddressKind.Ed25519, digest: new Uint8Array(32) },
    requestIds: [requestIds[0]!],
    ...over,
  });
  const send = (nowMs: number, from: number, msg: ConsensusMsg) => op.handle({ kind: 'peerMessage', nowMs, from, msg });
  return { op, perm, me, backlog, txs, ids, requestIds, ahead, ctx, send, origin };
}

const has = (out: OperatorAction[], kind: OperatorAction['kind']) => out.some((a) => a.kind === kind);

describe('catch-up: a context from a future leader moves the round only when it is valid', () => {
  it('an invalid context from a future position’s leader does not move the round (empty, unordered, bad timestamp, processed-looking floods)', () => {
    const { op, ahead, ctx, send, requestIds } = setup();
    const { pos, leader } = ahead(0);
    const at = NOW + HOLD + 1;
    const bad: Partial<ComputationContextMsg>[] = [
      { requestIds: [] },
      { requestIds: [requestIds[1]!, requestIds[0]!] },
      { requestIds: [requestIds[0]!, requestIds[0]!] },
      { timestamp: BigInt(at + 10_000) * 1_000_000n },
      { timestamp: 0n },
    ];
    for (const over of bad) {
      const out = send(at, leader, ctx(pos, over));
      expect(has(out, 'runVM')).toBe(false);
      expect(op.snapshot()).toMatchObject({ leaderPos: 0, stage: 'collecting' });
    }
    // A flood of the same invalid context: one evidence record per (member, position), the round stays.
    for (let i = 0; i < 100; i++) send(at + i, leader, ctx(pos, { requestIds: [] }));
    expect(op.snapshot().leaderPos).toBe(0);
    expect(op.evidence.map((e) => `${e.kind}@${e.member}/${e.round.leaderPos}`)).toEqual([`invalidContext@${leader}/${pos}`]);
    // The control: the same leader's valid context for that position does move it (so the test can fail).
    expect(has(send(at, leader, ctx(pos)), 'runVM')).toBe(true);
    expect(op.snapshot()).toMatchObject({ leaderPos: pos, stage: 'computing' });
  });

  it('a context naming requests this node has not loaded does not move it; the re-send after the load does', () => {
    const { op, ahead, ctx, send, requestIds, backlog, txs, ids } = setup({ loadSecond: false });
    const { pos, leader } = ahead(0);
    const unknownId = ids[1] as Uint8Array;
    const known = requestIds.filter((q) => q.txId !== unknownId);
    const withUnknown = ctx(pos, { requestIds });
    expect(has(send(NOW + HOLD + 1, leader, withUnknown), 'runVM')).toBe(false);
    expect(op.snapshot().leaderPos).toBe(0);
    expect(op.evidence).toHaveLength(0);
    // Nothing was kept for the later round: the backlog growing does not move it by itself.
    backlog.onTransaction(txs[1]!, unknownId);
    expect(has(op.handle({ kind: 'backlogChanged', nowMs: NOW + HOLD + 2 }), 'runVM')).toBe(false);
    expect(op.snapshot().leaderPos).toBe(0);
    expect(known).toHaveLength(1);
    expect(has(send(NOW + HOLD + 3, leader, withUnknown), 'runVM')).toBe(true);
    expect(op.snapshot().leaderPos).toBe(pos);
  });

  it('fake request IDs (never loadable) in a future context never move the round, however often they come', () => {
    const { op, ahead, ctx, send } = setup();
    const { pos, leader } = ahead(0);
    for (let i = 0; i < 20; i++) send(NOW + HOLD + i * 100, leader, ctx(pos, { requestIds: [{ txId: new Uint8Array(32).fill(200 + i), index: 0 }] }));
    expect(op.snapshot().leaderPos).toBe(0);
  });
});

describe('catch-up: how far and how often', () => {
  it('a valid later context moves the node only after the hold in its current round', () => {
    const { op, ahead, ctx, send } = setup();
    const { pos, leader } = ahead(0);
    expect(has(send(NOW + HOLD - 1, leader, ctx(pos)), 'runVM')).toBe(false);
    expect(op.snapshot().leaderPos).toBe(0);
    expect(has(send(NOW + HOLD, leader, ctx(pos)), 'runVM')).toBe(true);
    expect(op.snapshot().leaderPos).toBe(pos);
  });

  it('never out of a round whose context it accepted (an honest leader’s round in progress)', () => {
    const { op, perm, ahead, ctx, send } = setup();
    expect(has(send(NOW, perm[0] as number, ctx(0)), 'runVM')).toBe(true);
    const { pos, leader } = ahead(0);
    expect(has(send(NOW + HOLD * 1.5, leader, ctx(pos, { timestamp: BigInt(NOW + 1) * 1_000_000n })), 'runVM')).toBe(false);
    expect(op.snapshot()).toMatchObject({ leaderPos: 0, stage: 'computing' });
  });

  it('not to a position CONSENSUS_PARAMS.catchUpRotationsMax rotations or more ahead', () => {
    const { op, perm, ctx, send } = setup();
    const far = N * CONSENSUS_PARAMS.catchUpRotationsMax;
    expect(has(send(NOW + HOLD, leaderAt(perm, far), ctx(far)), 'runVM')).toBe(false);
    expect(op.snapshot().leaderPos).toBe(0);
    expect(has(send(NOW + HOLD, leaderAt(perm, far - 1), ctx(far - 1)), 'runVM')).toBe(leaderAt(perm, far - 1) !== perm[1]);
  });

  it('a member whose catch-up led into a round that timed out cannot move this node again on this state', () => {
    const { op, perm, me, ahead, ctx, send } = setup();
    const first = ahead(0);
    expect(has(send(NOW + HOLD, first.leader, ctx(first.pos)), 'runVM')).toBe(true);
    // The leader withholds the anchor: the round times out by this node's own timer.
    const t1 = NOW + HOLD + TIMEOUTS.resultsMs;
    op.handle({ kind: 'tick', nowMs: t1 });
    expect(op.snapshot().leaderPos).toBe(first.pos + 1);
    let next = first.pos + 1;
    while (leaderAt(perm, next) !== first.leader) next++;
    const at = t1 + HOLD + 1;
    expect(has(send(at, first.leader, ctx(next, { timestamp: BigInt(at) * 1_000_000n })), 'runVM')).toBe(false);
    expect(op.snapshot().leaderPos).toBe(first.pos + 1);
    // Another member still can (the rule singles out the member, not catch-up as such).
    const other = ahead(first.pos + 1, me);
    let p = other.pos;
    while (leaderAt(perm, p) === first.leader || leaderAt(perm, p) === me) p++;
    expect(has(send(at, leaderAt(perm, p), ctx(p, { timestamp: BigInt(at) * 1_000_000n })), 'runVM')).toBe(true);
    expect(op.snapshot().leaderPos).toBe(p);
  });

  it('a notification moves its leader forward only if it names a request known here', () => {
    const { op, perm, me, send, requestIds, origin } = setup();
    let pos = 1;
    while (leaderAt(perm, pos) !== me || pos === 1) pos++;
    const from = perm[2] as number;
    const note = (ids: RequestID[]): ConsensusMsg => ({ kind: 'requestNotification', round: { anchorTxId: origin.txId, blockIndex: 0, leaderPos: pos }, requestIds: ids });
    send(NOW + HOLD, from, note([]));
    send(NOW + HOLD, from, note([{ txId: new Uint8Array(32).fill(99), index: 0 }]));
    expect(op.snapshot().leaderPos).toBe(0);
    send(NOW + HOLD, from, note([requestIds[0]!]));
    expect(op.snapshot()).toMatchObject({ leaderPos: pos, leader: me });
  });
});

describe('round timeouts grow per full rotation', () => {
  it('positions 0..N−1 wait one proposal timeout, positions N..2N−1 two (so drifted members come to overlap)', () => {
    const { op } = setup();
    let t = NOW;
    for (let p = 1; p <= N; p++) {
      t += TIMEOUTS.leaderProposalMs;
      op.handle({ kind: 'tick', nowMs: t });
      expect(op.snapshot().leaderPos).toBe(p);
    }
    op.handle({ kind: 'tick', nowMs: t + TIMEOUTS.leaderProposalMs });
    expect(op.snapshot().leaderPos).toBe(N);
    op.handle({ kind: 'tick', nowMs: t + 2 * TIMEOUTS.leaderProposalMs });
    expect(op.snapshot().leaderPos).toBe(N + 1);
  });
});

describe('catch-up: one move per member per state', () => {
  it('a member that moved this node cannot move it again by moving it on before its chosen round times out', () => {
    const { op, perm, me, send, requestIds, origin } = setup();
    const mySlots: number[] = [];
    for (let p = 1; mySlots.length < 3; p++) if (leaderAt(perm, p) === me) mySlots.push(p);
    const from = perm[2] as number;
    const note = (pos: number): ConsensusMsg => ({ kind: 'requestNotification', round: { anchorTxId: origin.txId, blockIndex: 0, leaderPos: pos }, requestIds: [requestIds[0]!] });
    send(NOW + HOLD, from, note(mySlots[0]!));
    expect(op.snapshot().leaderPos).toBe(mySlots[0]);
    // A hold later (well before the round's proposal timeout) the same member tries again: refused.
    send(NOW + 2 * HOLD + 1, from, note(mySlots[1]!));
    expect(op.snapshot().leaderPos).toBe(mySlots[0]);
    // Another member may move it once; the first mover stays struck after that too.
    const other = perm[3] as number;
    send(NOW + 2 * HOLD + 2, other, note(mySlots[1]!));
    expect(op.snapshot().leaderPos).toBe(mySlots[1]);
    send(NOW + 3 * HOLD + 3, from, note(mySlots[2]!));
    send(NOW + 3 * HOLD + 3, other, note(mySlots[2]!));
    expect(op.snapshot().leaderPos).toBe(mySlots[1]);
  });
});
