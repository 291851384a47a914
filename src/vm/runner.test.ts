import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AddressKind, balancesOf, blake2b256, COLOR_IOTA, hname, utf8, type RequestID } from '../protocol';
import { encodeBlock } from '../state/block';
import { VirtualState } from '../state/vstate';
import { createRegistry, encU64, runBatch, VMTaskError, CORE_HNAMES as H, CORE_EP as EP, Dict, isRequestProcessed, type VMRequest } from './index';
import { Solo } from './solo/solo';
import { contractWasm as wasm } from './examples/wasm-fixture';

const SEC = 1_000_000_000n;

describe('runBatch', () => {
  it('is deterministic: the same batch gives byte-identical blocks and identical gas', () => {
    const ch = Solo.newChain({ seed: 11 });
    expect(ch.deployContract('counter', wasm('counter')).ok).toBe(true);
    expect(ch.deployContract('fairroulette', wasm('fairroulette'), { initParams: { period: encU64(0n) } }).ok).toBe(true);
    const w = ch.newWallet('w', 10_000n);
    const mk = (i: number, contract: string, ep: string, params: Record<string, Uint8Array> = {}, iotas = 0n): VMRequest => ({
      id: { txId: blake2b256(utf8(`det-${i}`)), index: i },
      sender: w.agentId,
      section: { senderContractHname: 0, targetContractID: { chainId: ch.chainId, hname: hname(contract) }, entryPoint: hname(ep), transfer: iotas ? balancesOf([[COLOR_IOTA, iotas]]) : new Map(), timelock: 0, args: Dict.of(params).toArgs() },
    });
    const requests = [
      mk(0, 'counter', 'increment'),
      mk(1, 'fairroulette', 'placeBet', { color: encU64(2n) }, 100n),
      mk(2, 'fairroulette', 'placeBet', { color: encU64(3n) }, 50n),
      mk(3, 'fairroulette', 'playPeriod'),
      mk(4, 'misbehave', 'x'),
      mk(5, 'accounts', 'deposit', {}, 7n),
    ];
    const task = { chainId: ch.chainId, chainColor: ch.chainColor, state: ch.state, requests, timestamp: ch.clock + SEC, entropy: new Uint8Array(32).fill(9), chainBalances: ch.chainBalances };
    const a = runBatch({ ...task, programs: createRegistry() });
    const b = runBatch({ ...task, programs: createRegistry() });
    expect(a.block).not.toBeNull();
    expect(encodeBlock(a.block!)).toEqual(encodeBlock(b.block!));
    expect(a.receipts.map((r) => r.gasUsed)).toEqual(b.receipts.map((r) => r.gasUsed));
    expect(a.stateHash).toEqual(b.stateHash);
    expect(a.receipts.map((r) => r.ok)).toEqual([true, true, true, true, false, true]);
    expect(a.updates.map((u) => u.timestamp)).toEqual(requests.map((_, i) => task.timestamp + BigInt(i)));
    // the solid state is untouched; newState applies the block
    const before = ch.state.stateHash;
    const next = a.newState();
    expect(ch.state.stateHash).toEqual(before);
    expect(next.stateHash).toEqual(a.stateHash);
    for (const r of requests) expect(isRequestProcessed(next, r.id)).toBe(true);
  });

  it('skips already processed, duplicate, time-locked and foreign requests', () => {
    const ch = Solo.newChain();
    const other = { kind: AddressKind.BLS, digest: new Uint8Array(32).fill(1) };
    const id: RequestID = { txId: new Uint8Array(32).fill(5), index: 0 };
    const base: VMRequest = { id, sender: ch.owner.agentId, section: { senderContractHname: 0, targetContractID: { chainId: ch.chainId, hname: H.accounts }, entryPoint: hname(EP.accounts.deposit), transfer: new Map(), timelock: 0, args: [] } };
    const ts = ch.clock + SEC;
    const res = runBatch({
      chainId: ch.chainId, chainColor: ch.chainColor, state: ch.state, timestamp: ts, entropy: new Uint8Array(32), chainBalances: ch.chainBalances,
      requests: [
        base,
        base,
        { ...base, id: { ...id, index: 1 }, section: { ...base.section, timelock: Number(ts / SEC) + 100 } },
        { ...base, id: { ...id, index: 2 }, section: { ...base.section, targetContractID: { chainId: other, hname: H.accounts } } },
      ],
    });
    expect(res.receipts).toHaveLength(1);
    expect(res.skipped.map((s) => s.reason)).toEqual(['duplicate in batch', 'time-locked', 'wrong chain']);
    const again = runBatch({ chainId: ch.chainId, chainColor: ch.chainColor, state: res.newState(), timestamp: ts + SEC, entropy: new Uint8Array(32), chainBalances: ch.chainBalances, requests: [base] });
    expect(again.skipped).toEqual([{ requestId: id, reason: 'already processed' }]);
    expect(again.block).toBeNull();
  });

  it('refuses a task that breaks its preconditions', () => {
    const s = VirtualState.origin();
    const chainId = { kind: AddressKind.BLS, digest: new Uint8Array(32) };
    expect(() => runBatch({ chainId, chainColor: new Uint8Array(32), state: s, requests: [], timestamp: 0n, entropy: new Uint8Array(32), chainBalances: new Map() })).toThrow(VMTaskError);
    expect(() => runBatch({ chainId, chainColor: new Uint8Array(32), state: s, requests: [], timestamp: 5n, entropy: new Uint8Array(3), chainBalances: new Map() })).toThrow(/entropy/);
  });

  it('tokens sent to the chain address without a request are swept to the chain owner by the next batch', () => {
    const ch = Solo.newChain();
    const w = ch.newWallet('w');
    ch.sendWithoutRequest(w, 77n);
    expect(ch.strayOutputs).toHaveLength(1);
    ch.checkInvariant(); // not on the chain yet: the accounts still match the chain UTXO
    expect(ch.postRequest({ contract: 'accounts', entryPoint: 'deposit' }).ok).toBe(true);
    expect(ch.iotas(ch.owner)).toBe(77n);
    expect(ch.strayOutputs).toHaveLength(0);
    ch.checkInvariant();
  });

  it('accounts invariant holds after random sequences of requests (fast-check)', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('deposit' as const), who: fc.nat(2), n: fc.bigInt(0n, 500n) }),
      fc.record({ kind: fc.constant('withdraw' as const), who: fc.nat(2) }),
      fc.record({ kind: fc.constant('donate' as const), who: fc.nat(2), n: fc.bigInt(0n, 300n) }),
      fc.record({ kind: fc.constant('ownerWithdraw' as const), n: fc.bigInt(0n, 400n) }),
      fc.record({ kind: fc.constant('fail' as const), who: fc.nat(2), n: fc.bigInt(0n, 100n) }),
    );
    fc.assert(
      fc.property(fc.array(fc.array(op, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 5 }), (batches) => {
        const ch = Solo.newChain({ seed: 5 });
        expect(ch.deployContract('donate', wasm('donatewithfeedback')).ok).toBe(true);
        const ws = [0, 1, 2].map((i) => ch.newWallet(`u${i}`, 100_000n));
        for (const batch of batches) {
          ch.postRequests(
            batch.map((o) => {
              switch (o.kind) {
                case 'deposit':
                  return { contract: 'accounts', entryPoint: 'deposit', transfer: o.n, sender: ws[o.who]! };
                case 'withdraw':
                  return { contract: 'accounts', entryPoint: 'withdrawToAddress', sender: ws[o.who]! };
                case 'donate':
                  return { contract: 'donate', entryPoint: 'donate', transfer: o.n, sender: ws[o.who]! };
                case 'ownerWithdraw':
                  return { contract: 'donate', entryPoint: 'withdraw', params: o.n > 0n ? { s: encU64(o.n) } : ({} as Record<string, Uint8Array>) };
                case 'fail':
                  return { contract: 'nosuch', entryPoint: 'x', transfer: o.n, sender: ws[o.who]! };
              }
            }),
          );
          ch.checkInvariant();
        }
        // nothing was created or lost: L1 wallets + chain UTXO = what the wallets started with
        const l1 = [...ws, ch.owner].reduce((s, w) => s + ch.l1Iotas(w), 0n);
        expect(l1 + (ch.chainBalances.get('00'.repeat(32)) ?? 0n)).toBe(3n * 100_000n + 1_000_000n);
      }),
      { numRuns: 15 },
    );
  });
});
