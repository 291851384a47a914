import { describe, expect, it } from 'vitest';
import { AddressKind, compareRequestIDs, LIMITS, requestIDKey, SeededRng, type Address, type RequestID, type RequestSection } from '../protocol';
import { VM_LIMITS } from '../vm/params';
import { STATE_LIMITS } from '../state/vstate-limits';
import type { BacklogRequest } from './backlog';
import { isStrictlyOrdered, selectBatch } from './batch';
import { CONSENSUS_PARAMS } from './params';

const rng = new SeededRng(7);
const addr = (i: number): Address => ({ kind: AddressKind.Ed25519, digest: Uint8Array.from({ length: 32 }, (_, k) => (i * 31 + k) & 0xff) });

/** `txs` request transactions of `perTx` requests each; sender of tx i is addr(senderOf(i)). */
function ready(txs: number, perTx: number, senderOf: (i: number) => number): BacklogRequest[] {
  const out: BacklogRequest[] = [];
  for (let i = 0; i < txs; i++) {
    const txId = rng.bytes(32);
    for (let index = 0; index < perTx; index++) {
      const id: RequestID = { txId, index };
      out.push({ id, key: requestIDKey(id), section: {} as RequestSection, senderAddress: addr(senderOf(i)), sender: {} as BacklogRequest['sender'], utxoBalances: new Map(), requestsInTx: perTx });
    }
  }
  return out.sort((a, b) => compareRequestIDs(a.id, b.id));
}
const seenByAll = (rs: readonly BacklogRequest[], n: number) => new Map(rs.map((r) => [r.key, new Set(Array.from({ length: n }, (_, i) => i))]));

describe('batch selection bounds (the anchor must stay a valid L1 transaction)', () => {
  it('the consensus bounds fit the protocol, state and VM limits', () => {
    expect(CONSENSUS_PARAMS.batchRequestTxsMax).toBe(LIMITS.inputsMax - 1);
    expect(CONSENSUS_PARAMS.batchSendersMax + VM_LIMITS.withdrawalsPerBatchMax + VM_LIMITS.outgoingRequestsPerBatchMax + 1).toBeLessThanOrEqual(LIMITS.outputsMax);
    expect(CONSENSUS_PARAMS.batchRequestsMax).toBeLessThanOrEqual(STATE_LIMITS.updatesPerBlockMax);
    expect(CONSENSUS_PARAMS.notificationRequestsMax).toBeGreaterThanOrEqual(CONSENSUS_PARAMS.batchRequestsMax);
  });

  it('takes everything ready up to the batch maximum, ordered by request ID', () => {
    const rs = ready(100, 1, () => 0);
    const b = selectBatch(rs, seenByAll(rs, 4), 3);
    expect(b).toHaveLength(100);
    expect(isStrictlyOrdered(b.map((q) => q.id))).toBe(true);
    const many = ready(150, 2, () => 0); // 300 requests in 150 txs, one sender
    expect(selectBatch(many, seenByAll(many, 4), 3)).toHaveLength(CONSENSUS_PARAMS.batchRequestsMax);
  });

  it('stops at batchRequestTxsMax request transactions (anchor inputs)', () => {
    const rs = ready(300, 1, () => 0);
    expect(selectBatch(rs, seenByAll(rs, 4), 3)).toHaveLength(CONSENSUS_PARAMS.batchRequestTxsMax);
  });

  it('stops at batchSendersMax sender addresses (anchor outputs)', () => {
    const rs = ready(240, 1, (i) => i);
    const b = selectBatch(rs, seenByAll(rs, 4), 3);
    expect(b).toHaveLength(CONSENSUS_PARAMS.batchSendersMax);
    expect(new Set(b.map((q) => q.senderAddress.digest[0])).size).toBeLessThanOrEqual(CONSENSUS_PARAMS.batchSendersMax);
  });

  it('never splits a request transaction and still needs T members to have seen every request', () => {
    const rs = ready(3, 2, () => 0);
    const seen = seenByAll(rs, 4);
    seen.set((rs[0] as BacklogRequest).key, new Set([0, 1])); // below T=3
    const b = selectBatch(rs, seen, 3);
    expect(b).toHaveLength(4);
    expect(b.some((q) => q.id.txId === (rs[0] as BacklogRequest).id.txId)).toBe(false);
  });
});
