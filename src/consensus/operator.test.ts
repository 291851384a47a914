import { describe, expect, it } from 'vitest';
import { AddressKind, blake2b256, COLOR_IOTA, balancesOf, colorKey, hname, requestIDKey, toHex, transactionId, type RequestID } from '../protocol';
import { ed25519KeyPairFromSeed } from '../crypto/ed25519';
import { buildRequestTx } from '../chain/deploy';
import { syntheticChain } from '../state/manager.fixture';
import { VirtualState } from '../state/vstate';
import { Backlog, bookedOutputBalances } from './backlog';
import { ConsensusOperator, type OperatorAction, type OperatorBase } from './operator';
import { leaderPermutation } from './permutation';
import type { ComputationContextMsg } from './messages';
import type { ThresholdSigner } from './signer';

const NOW = 1_700_000_000_000;
const TIMEOUTS = { leaderProposalMs: 1_000, resultsMs: 1_000, anchorConfirmMs: 2_000, resendMs: 300, inclusionPollMs: 200 };

const sig48 = (...parts: Uint8Array[]): Uint8Array => {
  const h = blake2b256(...parts);
  return Uint8Array.of(...h, ...h.slice(0, 16));
};

/** Cheap deterministic signer: the operator logic, not BLS, is under test here. */
const fakeSigner = (index: number): ThresholdSigner => ({
  n: 4,
  t: 3,
  index,
  masterPublicKey: new Uint8Array(96).fill(7),
  partialSign: (m) => sig48(m),
  verifyPartial: () => true,
  combine: (ps) => sig48(...ps.map((p) => p.signature)),
  verifyMaster: () => true,
});

/** An operator at the origin state of a synthetic chain, with one request (loaded or not) in its backlog. */
function setup(opts: { me?: 'leader' | 'member'; loadRequest?: boolean; strays?: readonly { txId: Uint8Array; balances: Map<string, bigint> }[]; signer?: (index: number) => ThresholdSigner } = {}) {
  const chain = syntheticChain(0);
  const origin = chain.anchors[0] as (typeof chain.anchors)[number];
  const perm = leaderPermutation(origin.txId, 4);
  const leader = perm[0] as number;
  const me = opts.me === 'leader' ? leader : (perm[1] as number);
  const wallet = ed25519KeyPairFromSeed(new Uint8Array(32).fill(3));
  const reqTx = buildRequestTx(wallet, [{ id: { txId: new Uint8Array(32).fill(4), address: wallet.address }, balances: balancesOf([[COLOR_IOTA, 100n]]) }], [
    { target: { chainId: chain.chainAddress, hname: hname('accounts') }, entryPoint: hname('deposit') },
  ]);
  const backlog = new Backlog(chain.chainAddress, chain.chainColor, 1_000);
  const id = transactionId(reqTx);
  backlog.setOutputs([{ txId: id, balances: bookedOutputBalances(reqTx, id, chain.chainAddress) as Map<string, bigint> }, ...(opts.strays ?? [])]);
  if (opts.loadRequest !== false) backlog.onTransaction(reqTx, id);
  const op = new ConsensusOperator(
    { chainAddress: chain.chainAddress, chainColor: chain.chainColor, signer: (opts.signer ?? fakeSigner)(me), timeouts: TIMEOUTS, rewardAddress: { kind: AddressKind.Ed25519, digest: new Uint8Array(32) }, isRequestProcessed: () => false },
    backlog,
  );
  const base: OperatorBase = { state: VirtualState.origin(), anchorTx: origin.tx, anchorTxId: origin.txId, chainUtxo: { txId: origin.txId, balances: bookedOutputBalances(origin.tx, origin.txId, chain.chainAddress) as Map<string, bigint> } };
  op.handle({ kind: 'stateTransition', nowMs: NOW, base });
  const requestId: RequestID = { txId: id, index: 0 };
  const ctx = (over: Partial<ComputationContextMsg> = {}): ComputationContextMsg => ({
    kind: 'computationContext',
    round: { anchorTxId: origin.txId, blockIndex: 0, leaderPos: 0 },
    timestamp: BigInt(NOW) * 1_000_000n,
    rewardAddress: { kind: AddressKind.Ed25519, digest: new Uint8Array(32) },
    requestIds: [requestId],
    ...over,
  });
  return { op, perm, leader, me, backlog, reqTx, requestId, ctx, base, chain };
}

const evidenceKinds = (op: ConsensusOperator) => op.evidence.map((e) => `${e.kind}@${e.member}`);
const has = (out: OperatorAction[], kind: OperatorAction['kind']) => out.some((a) => a.kind === kind);

describe('consensus operator: context validation', () => {
  it('accepts a valid context from the leader and runs the VM', () => {
    const { op, leader, ctx } = setup();
    expect(has(op.handle({ kind: 'peerMessage', nowMs: NOW, from: leader, msg: ctx() }), 'runVM')).toBe(true);
    expect(op.evidence).toHaveLength(0);
  });

  it('ignores a context for another block index (another round): no VM, no evidence', () => {
    const { op, leader, ctx } = setup();
    const out = op.handle({ kind: 'peerMessage', nowMs: NOW, from: leader, msg: ctx({ round: { ...ctx().round, blockIndex: 5 } }) });
    expect(has(out, 'runVM')).toBe(false);
    expect(op.evidence).toHaveLength(0);
  });

  it('holds a context naming a request it has not loaded, and computes once the request transaction arrives', () => {
    const { op, leader, ctx, backlog, reqTx, requestId } = setup({ loadRequest: false });
    expect(has(op.handle({ kind: 'peerMessage', nowMs: NOW, from: leader, msg: ctx() }), 'runVM')).toBe(false);
    expect(op.evidence).toHaveLength(0);
    backlog.onTransaction(reqTx, requestId.txId);
    expect(has(op.handle({ kind: 'backlogChanged', nowMs: NOW + 10 }), 'runVM')).toBe(true);
  });

  it('refuses a timestamp outside the tolerance and records invalidContext evidence against the leader', () => {
    const { op, leader, ctx } = setup();
    const out = op.handle({ kind: 'peerMessage', nowMs: NOW, from: leader, msg: ctx({ timestamp: BigInt(NOW + 10_000) * 1_000_000n }) });
    expect(has(out, 'runVM')).toBe(false);
    expect(evidenceKinds(op)).toEqual([`invalidContext@${leader}`]);
    expect(op.evidence[0]?.detail).toMatch(/timestamp/);
  });

  it('ignores a context from a member that is not the leader of the round', () => {
    const { op, perm, ctx } = setup();
    expect(has(op.handle({ kind: 'peerMessage', nowMs: NOW, from: perm[2] as number, msg: ctx() }), 'runVM')).toBe(false);
  });

  it('records conflictingContext when the leader sends a second, different context in one round', () => {
    const { op, leader, ctx } = setup();
    op.handle({ kind: 'peerMessage', nowMs: NOW, from: leader, msg: ctx() });
    const out = op.handle({ kind: 'peerMessage', nowMs: NOW, from: leader, msg: ctx({ timestamp: BigInt(NOW + 1) * 1_000_000n }) });
    expect(has(out, 'runVM')).toBe(false);
    expect(evidenceKinds(op)).toEqual([`conflictingContext@${leader}`]);
  });
});

describe('consensus operator: timeouts and L1 rejection', () => {
  it('rotates the leader along the permutation when no context arrives in time (idle chains never rotate)', () => {
    const { op, perm } = setup();
    expect(op.snapshot().leader).toBe(perm[0]);
    op.handle({ kind: 'tick', nowMs: NOW + TIMEOUTS.leaderProposalMs - 1 });
    expect(op.snapshot().leader).toBe(perm[0]);
    op.handle({ kind: 'tick', nowMs: NOW + TIMEOUTS.leaderProposalMs });
    expect(op.snapshot()).toMatchObject({ leader: perm[1], leaderPos: 1 });
    op.handle({ kind: 'tick', nowMs: NOW + 2 * TIMEOUTS.leaderProposalMs });
    expect(op.snapshot()).toMatchObject({ leader: perm[2], leaderPos: 2 });
  });

  it('a leader whose anchor L1 rejects keeps the requests and restarts the round with the next leader', () => {
    const { op, perm, me, requestId, backlog } = setup({ me: 'leader' });
    // Members report the request; the leader proposes, computes and collects T results.
    const early: OperatorAction[] = [];
    for (const m of perm.filter((x) => x !== me)) early.push(...op.handle({ kind: 'peerMessage', nowMs: NOW, from: m, msg: { kind: 'requestNotification', round: op.snapshot().round!, requestIds: [requestId] } }));
    early.push(...op.handle({ kind: 'tick', nowMs: NOW + 1 }));
    const vm = early.find((a) => a.kind === 'runVM');
    expect(vm).toBeDefined();
    const task = (vm as Extract<OperatorAction, { kind: 'runVM' }>).task;
    const outcome = { updates: [{ requestId, timestamp: task.timestamp, mutations: [{ kind: 'set' as const, key: Uint8Array.of(0, 0, 0, 1, 1), value: Uint8Array.of(1) }] }], withdrawals: [], outgoingRequests: [] };
    const after = op.handle({ kind: 'vmResult', nowMs: NOW + 2, roundKey: (vm as Extract<OperatorAction, { kind: 'runVM' }>).roundKey, outcome });
    const mine = after.find((a) => a.kind === 'pendingBlock');
    expect(mine).toBeDefined();
    // Two members answer with the same result: with its own, the leader has T and posts the anchor.
    expect(op.snapshot().stage).toBe('waitingResults');
    const { round, result } = op.snapshot();
    let posted: OperatorAction | undefined;
    for (const m of perm.filter((x) => x !== me).slice(0, 2)) {
      const out = op.handle({ kind: 'peerMessage', nowMs: NOW + 3, from: m, msg: { kind: 'resultAndPartialSig', round: round!, contextHash: result!.contextHash, resultHash: result!.resultHash, partialSig: new Uint8Array(48).fill(m) } });
      posted ??= out.find((a) => a.kind === 'postAnchor');
    }
    expect(posted).toBeDefined();
    const txId = (posted as Extract<OperatorAction, { kind: 'postAnchor' }>).txId;
    const rej = op.handle({ kind: 'anchorInclusion', nowMs: NOW + 4, txId, state: 'rejected', reason: 'conflict' });
    expect(rej.some((a) => a.kind === 'event' && a.event.kind === 'anchorRejected')).toBe(true);
    expect(op.snapshot()).toMatchObject({ leaderPos: 1, leader: perm[1] });
    expect(backlog.requests().map((q) => q.key)).toEqual([requestIDKey(requestId)]);
  });
});

describe('consensus operator: strays ride along with a batch', () => {
  const stray = (fill: number, iotas: bigint) => ({ txId: new Uint8Array(32).fill(fill), balances: balancesOf([[COLOR_IOTA, iotas]]) as Map<string, bigint> });

  it('the leader names the strays it sees in its context, gives their tokens to the VM and spends them in the anchor', () => {
    const strays = [stray(0x21, 5n), stray(0x20, 7n)];
    const { op, perm, me, requestId } = setup({ me: 'leader', strays });
    const out: OperatorAction[] = [];
    for (const m of perm.filter((x) => x !== me)) out.push(...op.handle({ kind: 'peerMessage', nowMs: NOW, from: m, msg: { kind: 'requestNotification', round: op.snapshot().round!, requestIds: [requestId] } }));
    out.push(...op.handle({ kind: 'tick', nowMs: NOW + 1 }));
    const sent = out.find((a) => a.kind === 'send' && a.msg.kind === 'computationContext') as Extract<OperatorAction, { kind: 'send' }>;
    expect((sent.msg as ComputationContextMsg).strayTxIds).toEqual([strays[1]!.txId, strays[0]!.txId]);
    const vm = out.find((a) => a.kind === 'runVM') as Extract<OperatorAction, { kind: 'runVM' }>;
    expect(vm.task.chainBalances.get(colorKey(COLOR_IOTA))).toBe(12n);
    const outcome = { updates: [{ requestId, timestamp: vm.task.timestamp, mutations: [] }], withdrawals: [], outgoingRequests: [] };
    op.handle({ kind: 'vmResult', nowMs: NOW + 2, roundKey: vm.roundKey, outcome });
    const { round, result } = op.snapshot();
    let posted: Extract<OperatorAction, { kind: 'postAnchor' }> | undefined;
    for (const m of perm.filter((x) => x !== me).slice(0, 2)) {
      const res = op.handle({ kind: 'peerMessage', nowMs: NOW + 3, from: m, msg: { kind: 'resultAndPartialSig', round: round!, contextHash: result!.contextHash, resultHash: result!.resultHash, partialSig: new Uint8Array(48).fill(m) } });
      posted ??= res.find((a) => a.kind === 'postAnchor') as typeof posted;
    }
    const inputs = posted!.tx.inputs.map((i) => toHex(i.txId));
    for (const s of strays) expect(inputs).toContain(toHex(s.txId));
  });

  it('a member accepts a context whose strays it sees too, and holds one naming a stray it does not see yet', () => {
    const s = stray(0x30, 9n);
    const { op, leader, ctx } = setup({ strays: [s] });
    const run = op.handle({ kind: 'peerMessage', nowMs: NOW, from: leader, msg: ctx({ strayTxIds: [s.txId] }) }).find((a) => a.kind === 'runVM') as Extract<OperatorAction, { kind: 'runVM' }>;
    expect(run.task.chainBalances.get(colorKey(COLOR_IOTA))).toBe(9n);
    const other = setup();
    expect(has(other.op.handle({ kind: 'peerMessage', nowMs: NOW, from: other.leader, msg: other.ctx({ strayTxIds: [s.txId] }) }), 'runVM')).toBe(false);
    expect(other.op.evidence).toHaveLength(0);
  });

  it('refuses strays out of order, and a request transaction named as a stray, as invalidContext', () => {
    const a = stray(0x30, 1n), b = stray(0x31, 1n);
    const t1 = setup({ strays: [a, b] });
    t1.op.handle({ kind: 'peerMessage', nowMs: NOW, from: t1.leader, msg: t1.ctx({ strayTxIds: [b.txId, a.txId] }) });
    expect(t1.op.evidence.map((e) => e.detail)).toEqual([expect.stringMatching(/strays not strictly ordered/)]);
    const t2 = setup();
    t2.op.handle({ kind: 'peerMessage', nowMs: NOW, from: t2.leader, msg: t2.ctx({ strayTxIds: [t2.requestId.txId] }) });
    expect(t2.op.evidence.map((e) => e.detail)).toEqual([expect.stringMatching(/is a request transaction/)]);
  });
});

describe('consensus operator: step 11, a bad partial signature', () => {
  /** Partials filled with 0xba do not verify, and spoil the combined signature (as with BLS). */
  const strictSigner = (index: number): ThresholdSigner => ({
    ...fakeSigner(index),
    verifyPartial: (_i, _m, p) => p[0] !== 0xba,
    combine: (ps) => new Uint8Array(48).fill(ps.some((p) => p.signature[0] === 0xba) ? 0 : 1),
    verifyMaster: (_m, s) => s[0] === 1,
  });

  it('the leader drops the member whose partial does not verify, records badPartialSignature, ignores its re-sends and posts with the next member', () => {
    const { op, perm, me, requestId } = setup({ me: 'leader', signer: strictSigner });
    const members = perm.filter((x) => x !== me);
    const early: OperatorAction[] = [];
    for (const m of members) early.push(...op.handle({ kind: 'peerMessage', nowMs: NOW, from: m, msg: { kind: 'requestNotification', round: op.snapshot().round!, requestIds: [requestId] } }));
    early.push(...op.handle({ kind: 'tick', nowMs: NOW + 1 }));
    const vm = early.find((a): a is Extract<OperatorAction, { kind: 'runVM' }> => a.kind === 'runVM')!;
    op.handle({ kind: 'vmResult', nowMs: NOW + 2, roundKey: vm.roundKey, outcome: { updates: [{ requestId, timestamp: vm.task.timestamp, mutations: [] }], withdrawals: [], outgoingRequests: [] } });
    const { round, result } = op.snapshot();
    const answer = (from: number, fill: number) => op.handle({ kind: 'peerMessage', nowMs: NOW + 3, from, msg: { kind: 'resultAndPartialSig', round: round!, contextHash: result!.contextHash, resultHash: result!.resultHash, partialSig: new Uint8Array(48).fill(fill) } });
    const [a, b, c] = [...members].sort((x, y) => x - y) as [number, number, number];
    expect(answer(a, 0xba).some((x) => x.kind === 'postAnchor')).toBe(false);
    // With the leader's own, T = 3 are in: the combination fails and only the bad signer is blamed.
    expect(answer(b, 0x11).some((x) => x.kind === 'postAnchor')).toBe(false);
    expect(evidenceKinds(op)).toEqual([`badPartialSignature@${a}`]);
    expect(op.snapshot().stage).toBe('waitingResults');
    // A re-sent (now valid-looking) result from the culprit is ignored for this round.
    expect(answer(a, 0x12)).toEqual([]);
    expect(answer(c, 0x13).some((x) => x.kind === 'postAnchor')).toBe(true);
    expect(op.snapshot().stage).toBe('waitingAnchor');
  });
});
