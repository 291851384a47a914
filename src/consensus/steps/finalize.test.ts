import { describe, expect, it } from 'vitest';
import { AddressKind, requestIDKey, transactionId } from '../../protocol';
import { contextHash } from '../context';
import type { ResultAndPartialSigMsg } from '../messages';
import type { MyResult } from '../round';
import type { ThresholdSigner } from '../signer';
import { computeResult } from './compute-result';
import { finalize } from './finalize';
import { judgeResult } from './judge-result';
import { fakeSigner, stepsFixture } from './steps.fixture';

/** Member `index`'s result for the fixture's one-request context (bad: its partial signature is garbage). */
function resultOf(index: number, bad: ReadonlySet<number> = new Set()): { mine: MyResult; msg: ResultAndPartialSigMsg } {
  const f = stepsFixture();
  const msg = f.ctx();
  const context = { msg, hash: contextHash(msg), batch: msg.requestIds.map((id) => f.backlog.get(requestIDKey(id))!), strays: [] };
  const res = computeResult({ updates: [{ requestId: f.requestIds[0]!, timestamp: msg.timestamp, mutations: [] }], withdrawals: [], outgoingRequests: [] }, context, f.view, fakeSigner(index, bad));
  if (res.kind !== 'computed') throw new Error(res.why);
  const mine = res.mine;
  return { mine, msg: { kind: 'resultAndPartialSig', round: msg.round, contextHash: mine.ctxHash, resultHash: mine.resultHash, partialSig: mine.partialSig } };
}
const resultsOf = (members: readonly number[], bad: ReadonlySet<number> = new Set()) => new Map(members.map((i) => [i, resultOf(i, bad).msg]));

describe('step 10 (leader): judgeResult', () => {
  it('accepts a member’s result equal to the leader’s own', () => {
    const { mine } = resultOf(0);
    expect(judgeResult(mine, resultOf(1).msg)).toEqual({ verdict: 'accept' });
  });

  it('names a member that answered another context (wrongContextHash) or computed another result (wrongResultHash)', () => {
    const { mine } = resultOf(0);
    const theirs = resultOf(1).msg;
    expect(judgeResult(mine, { ...theirs, contextHash: new Uint8Array(32).fill(1) })).toMatchObject({ verdict: 'culprit', kind: 'wrongContextHash' });
    expect(judgeResult(mine, { ...theirs, resultHash: new Uint8Array(32).fill(2) })).toMatchObject({ verdict: 'culprit', kind: 'wrongResultHash', detail: expect.stringMatching(/differs from the leader's/) });
  });
});

describe('steps 11–12 (leader): finalize', () => {
  it('waits while fewer than T results are accepted', () => {
    const { mine } = resultOf(0);
    expect(finalize(mine, resultsOf([0, 1]), fakeSigner(0))).toEqual({ kind: 'short' });
  });

  it('combines T partial signatures into the anchor’s BLS master signature', () => {
    const { mine } = resultOf(0);
    const signer = fakeSigner(0);
    const f = finalize(mine, resultsOf([0, 1, 2]), signer);
    if (f.kind !== 'signed') throw new Error(f.kind);
    expect(f.tx.signatures).toEqual([{ kind: AddressKind.BLS, publicKey: signer.masterPublicKey, signature: expect.any(Uint8Array) }]);
    expect(signer.verifyMaster(mine.message, f.tx.signatures[0]!.signature)).toBe(true);
    expect(f.txId).toEqual(transactionId(f.tx));
    expect(f.tx.inputs).toEqual(mine.essence.inputs);
  });

  it('step 11: a bad partial signature among the T fails the combination and names its member (only it) as culprit', () => {
    const bad = new Set([2]);
    const { mine } = resultOf(0);
    const results = resultsOf([0, 1, 2, 3], bad);
    expect(finalize(mine, results, fakeSigner(0))).toEqual({ kind: 'culprits', culprits: [2] });
    // Once the operator drops the culprit, the next T (own, 1, 3) combine.
    results.delete(2);
    expect(finalize(mine, results, fakeSigner(0)).kind).toBe('signed');
  });

  it('step 11: takes its own partial first, then by member index — a bad partial outside those T does not matter', () => {
    const { mine } = resultOf(3);
    expect(finalize(mine, resultsOf([0, 1, 2, 3], new Set([2])), fakeSigner(3)).kind).toBe('signed');
  });

  it('step 11: a partial that does not even combine (combine throws) is found by the partial checks', () => {
    const { mine } = resultOf(0);
    const throwing: ThresholdSigner = { ...fakeSigner(0), combine: () => { throw new Error('not a curve point'); } };
    expect(finalize(mine, resultsOf([0, 1, 2], new Set([1])), throwing)).toEqual({ kind: 'culprits', culprits: [1] });
    // Nothing to blame when every partial verifies: no culprit, wait for more.
    expect(finalize(mine, resultsOf([0, 1, 2]), throwing)).toEqual({ kind: 'culprits', culprits: [] });
  });
});
