import { describe, expect, it } from 'vitest';
import { balancesOf, colorKey, COLOR_IOTA, essenceBytes, requestIDKey, type RequestID } from '../../protocol';
import { contextHash, resultHash } from '../context';
import type { ComputationContext } from '../round';
import type { VmOutcome } from '../vm-port';
import { computeResult } from './compute-result';
import { entropyOf, vmTaskFor } from './run-vm';
import { fakeSigner, stepsFixture } from './steps.fixture';

/** The context a member accepted: what validateContext passed, resolved from its backlog. */
function accepted(f: ReturnType<typeof stepsFixture>, strayTxIds?: readonly Uint8Array[]): ComputationContext {
  const msg = f.ctx(strayTxIds ? { strayTxIds: [...strayTxIds] } : {});
  const batch = msg.requestIds.map((id) => f.backlog.get(requestIDKey(id))!);
  return { msg, hash: contextHash(msg), batch, strays: (msg.strayTxIds ?? []).map((id) => f.backlog.stray(id)!) };
}
const outcomeFor = (ids: readonly RequestID[], timestamp: bigint): VmOutcome => ({
  updates: ids.map((requestId, i) => ({ requestId, timestamp: timestamp + BigInt(i), mutations: [{ kind: 'set' as const, key: Uint8Array.of(0, 0, 0, 1, i), value: Uint8Array.of(1) }] })),
  withdrawals: [],
  outgoingRequests: [],
});

describe('step 6b/7 (every member): vmTaskFor', () => {
  it('hands the VM the batch, the context timestamp, the entropy of the anchor and the strays’ tokens', () => {
    const s = { txId: new Uint8Array(32).fill(0x30), balances: balancesOf([[COLOR_IOTA, 9n]]) };
    const f = stepsFixture({ requests: 2, strays: [s] });
    const c = accepted(f, [s.txId]);
    const run = vmTaskFor(c, f.view);
    if (!('task' in run)) throw new Error(run.problem);
    expect(run.task.requests.map((q) => q.id)).toEqual(f.requestIds);
    expect(run.task.timestamp).toBe(c.msg.timestamp);
    expect(run.task.entropy).toEqual(entropyOf(f.base.anchorTx, f.base.anchorTxId));
    expect(run.task.chainBalances.get(colorKey(COLOR_IOTA))).toBe(9n);
    // At the origin state the origin's signer is the only one who may init the chain.
    expect(run.task.chainOriginator).toEqual(f.base.anchorTx.inputs[0]?.address);
  });
});

describe('steps 7–9a (every member): computeResult', () => {
  it('turns the VM outcome into a block, its state hash, the anchor essence, the partial signature and hash(context ‖ result)', () => {
    const f = stepsFixture({ requests: 2 });
    const c = accepted(f);
    const signer = fakeSigner(1);
    const res = computeResult(outcomeFor(f.requestIds, c.msg.timestamp), c, f.view, signer);
    if (res.kind !== 'computed') throw new Error(res.why);
    expect(res.block.blockIndex).toBe(1);
    expect(res.stateHash).toEqual(f.base.state.hashAfter(res.block));
    expect(res.requestIds).toEqual(f.requestIds);
    expect(res.mine.message).toEqual(essenceBytes(res.mine.essence));
    expect(res.mine.partialSig).toEqual(signer.partialSign(res.mine.message));
    expect(res.mine.resultHash).toEqual(resultHash(c.hash, res.mine.essence));
    // The anchor spends the chain UTXO and both request transactions.
    expect(res.mine.essence.inputs).toHaveLength(3);
    // Deterministic: another member computes the same bytes to sign.
    const again = computeResult(outcomeFor(f.requestIds, c.msg.timestamp), c, f.view, fakeSigner(2));
    expect(again.kind === 'computed' && again.mine.resultHash).toEqual(res.mine.resultHash);
  });

  it('leaves deferred request transactions out of the anchor (they stay in the backlog)', () => {
    const f = stepsFixture({ requests: 2 });
    const c = accepted(f);
    const [first, second] = f.requestIds;
    const res = computeResult({ ...outcomeFor([first!], c.msg.timestamp), deferred: [second!] }, c, f.view, fakeSigner(1));
    expect(res.kind === 'computed' && res.requestIds).toEqual([first]);
    expect(res.kind === 'computed' && res.mine.essence.inputs).toHaveLength(2);
  });

  it('an error, a skipped request or an outcome that cannot be anchored is unusable (the round waits for its timeout)', () => {
    const f = stepsFixture();
    const c = accepted(f);
    expect(computeResult({ error: 'trap' }, c, f.view, fakeSigner(1))).toEqual({ kind: 'unusable', why: 'The VM failed: trap. Waiting for the round to time out.' });
    const skipped = { ...outcomeFor(f.requestIds, c.msg.timestamp), skipped: [{ requestId: f.requestIds[0]!, reason: 'time-locked' }] };
    expect(computeResult(skipped, c, f.view, fakeSigner(1))).toMatchObject({ kind: 'unusable', why: expect.stringMatching(/skipped 1 request\(s\) \(time-locked\)/) });
    const greedy = { ...outcomeFor(f.requestIds, c.msg.timestamp), withdrawals: [{ address: f.chain.chainAddress, balances: balancesOf([[COLOR_IOTA, 10n ** 12n]]) }] };
    expect(computeResult(greedy, c, f.view, fakeSigner(1))).toMatchObject({ kind: 'unusable', why: expect.stringMatching(/^Cannot build the block\/anchor: /) });
  });
});
