import { describe, expect, it } from 'vitest';
import { VM_LIMITS } from '../vm/params';
import { blake2b256, compareBytes, requestIDKey, Writer } from '../protocol';
import { leaderAt, leaderPermutation } from './permutation';
import { selectBatch } from './batch';
import type { BacklogRequest } from './backlog';
import { decodeConsensusMsg, encodeConsensusMsg, type ConsensusMsg } from './messages';
import { CONSENSUS_PARAMS } from './params';

const req = (tx: number, index = 0, inTx = 1): BacklogRequest => {
  const id = { txId: new Uint8Array(32).fill(tx), index };
  return { id, key: requestIDKey(id), section: undefined as never, senderAddress: { kind: 0, digest: new Uint8Array(32) } as never, sender: undefined as never, utxoBalances: new Map(), requestsInTx: inTx };
};

describe('leader permutation', () => {
  it('sorts indices by blake2b(seed ‖ u16LE(i)) and rotates along it', () => {
    const seed = new Uint8Array(32).fill(7);
    const p = leaderPermutation(seed, 7);
    expect([...p].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const h = (i: number) => blake2b256(seed, new Writer().u16(i).finish());
    for (let k = 1; k < p.length; k++) expect(compareBytes(h(p[k - 1] as number), h(p[k] as number))).toBeLessThan(0);
    expect(leaderAt(p, 0)).toBe(p[0]);
    expect(leaderAt(p, 8)).toBe(p[1]);
    expect(leaderPermutation(new Uint8Array(32).fill(8), 7)).not.toEqual(p);
  });
});

describe('batch selection', () => {
  it('keeps requests seen by ≥ T members and the largest set one common quorum has seen', () => {
    const a = req(1), b = req(2), c = req(3), d = req(4);
    const seen = new Map([
      [a.key, new Set([0, 1, 2, 3])],
      [b.key, new Set([0, 1, 2])],
      [c.key, new Set([0, 2, 3])], // quorum {0,2,3} ∩ {0,1,2} = {0,2}: < T, left out
      [d.key, new Set([0, 1])], // seen by < T
    ]);
    expect(selectBatch([d, c, b, a], seen, 3).map((r) => r.key)).toEqual([a.key, b.key]);
  });
  it('takes a request transaction whole or not at all, and respects the batch bound', () => {
    const x0 = req(5, 0, 2), x1 = req(5, 1, 2), y = req(6);
    const all = new Set([0, 1, 2]);
    expect(selectBatch([x0, y], new Map([[x0.key, all], [y.key, all]]), 3).map((r) => r.key)).toEqual([y.key]);
    expect(selectBatch([x0, x1, y], new Map([[x0.key, all], [x1.key, all], [y.key, all]]), 3, 2).map((r) => r.key)).toEqual([x0.key, x1.key]);
  });
  it('a request transaction bigger than the bound is a batch of its own (else it would wait forever), never joined by another', () => {
    const x0 = req(5, 0, 3), x1 = req(5, 1, 3), x2 = req(5, 2, 3), y = req(6);
    const all = new Set([0, 1, 2]);
    const seen = new Map([x0, x1, x2, y].map((r) => [r.key, all] as const));
    // y is as popular and comes later by ID: x (3 requests) is first, taken alone although the bound is 1.
    expect(selectBatch([x0, x1, x2, y], seen, 3, 1).map((r) => r.key)).toEqual([x0.key, x1.key, x2.key]);
    expect(selectBatch([y, x0, x1, x2], new Map([...seen, [y.key, new Set([0, 1, 2, 3])]]), 3, 1).map((r) => r.key)).toEqual([y.key]);
  });
  it("governance's batch bound and the consensus context's are one number", () => {
    expect(VM_LIMITS.batchSizeMax).toBe(CONSENSUS_PARAMS.batchRequestsMax);
  });
});

describe('consensus message codec', () => {
  it('round-trips and refuses trailing bytes', () => {
    const round = { anchorTxId: new Uint8Array(32).fill(1), blockIndex: 5, leaderPos: 2 };
    const msgs: ConsensusMsg[] = [
      { kind: 'requestNotification', round, requestIds: [req(1).id] },
      { kind: 'computationContext', round, timestamp: 123n, rewardAddress: { kind: 0, digest: new Uint8Array(32) }, requestIds: [req(1).id, req(2).id] },
      { kind: 'computationContext', round, timestamp: 1n, rewardAddress: { kind: 0, digest: new Uint8Array(32) }, requestIds: [req(1).id], strayTxIds: [new Uint8Array(32).fill(5), new Uint8Array(32).fill(6)] },
      { kind: 'resultAndPartialSig', round, contextHash: new Uint8Array(32), resultHash: new Uint8Array(32).fill(3), partialSig: new Uint8Array(48).fill(4) },
      { kind: 'anchorPosted', round, anchorTxId: new Uint8Array(32).fill(9) },
    ];
    for (const m of msgs) {
      const b = encodeConsensusMsg(m);
      expect(decodeConsensusMsg(b)).toEqual(m);
      expect(() => decodeConsensusMsg(Uint8Array.of(...b, 0))).toThrow();
    }
  });
  it('a context with an empty stray list encodes like one without (one context hash for both)', () => {
    const round = { anchorTxId: new Uint8Array(32).fill(1), blockIndex: 5, leaderPos: 2 };
    const ctx: ConsensusMsg = { kind: 'computationContext', round, timestamp: 1n, rewardAddress: { kind: 0, digest: new Uint8Array(32) }, requestIds: [req(1).id] };
    expect(encodeConsensusMsg({ ...ctx, strayTxIds: [] })).toEqual(encodeConsensusMsg(ctx));
    const tooMany = Array.from({ length: CONSENSUS_PARAMS.batchStraysMax + 1 }, (_, i) => new Uint8Array(32).fill(i));
    expect(() => encodeConsensusMsg({ ...ctx, strayTxIds: tooMany })).toThrow(/too many stray/);
  });
});
