import { describe, expect, it } from 'vitest';
import { addressBytes, ANCHOR_LIMITS, balancesOf, COLOR_IOTA, colorKey, hname, type AgentID } from '../../protocol';
import { decU64, Dict, encAgentID, encU64 } from '../dict';
import { NativeProcessor, nativeProgramHash } from '../processor';
import { createRegistry } from '../registry-default';
import { EP, H, P } from '../core/names';
import { contractWasm } from '../examples/wasm-fixture';
import { Solo, type SoloChain } from './solo';

const counter = contractWasm('counter');
const count = (ch: SoloChain): bigint => decU64(ch.callView('counter', 'getCounter').bytes('counter'));

/** A chain with the wasm counter deployed. */
function counterChain(seed: number): SoloChain {
  const ch = Solo.newChain({ seed, registry: vaultRegistry() });
  expect(ch.deployContract('counter', counter).ok).toBe(true);
  expect(ch.deployProgram('vault', nativeProgramHash('vault')).ok).toBe(true);
  return ch;
}

/** vault.stash: deposits 10 IOTA into its own account on chain `c`; vault.recall: asks chain `c` to send them home. */
function vaultRegistry() {
  const r = createRegistry();
  r.registerNative(
    new NativeProcessor('vault', {
      stash: { fn: (ctx) => ctx.postRequest({ chainId: ctx.params.address('c'), hname: H.accounts }, hname(EP.accounts.deposit), new Dict(), balancesOf([[COLOR_IOTA, 10n]])) },
      recall: { fn: (ctx) => ctx.postRequest({ chainId: ctx.params.address('c'), hname: H.accounts }, hname(EP.accounts.withdrawToChain), new Dict(), balancesOf([[COLOR_IOTA, 1n]])) },
      later: { fn: (ctx) => ctx.postRequest({ chainId: ctx.chainId(), hname: hname('counter') }, hname('increment'), new Dict(), undefined, 2_000_000_000) },
    }),
  );
  return r;
}

describe('Solo outbox: requests contracts post, delivered through the same anchor accounting as real nodes', () => {
  it('a counter on chain A increments the counter on chain B; both invariants hold, the 1 IOTA token is paid', () => {
    const a = counterChain(1);
    const b = counterChain(2);
    const r = a.postRequest({ contract: 'counter', entryPoint: 'incrementOn', params: { chain: addressBytes(b.chainId), n: encU64(5n) }, transfer: 1n });
    expect(r.ok).toBe(true);
    expect(a.iotas(a.contractAgent('counter'))).toBe(0n); // its 1 IOTA became the request token
    expect(a.outbox).toHaveLength(1);
    a.checkInvariant();
    const got = a.deliverOutbox(b);
    expect(got.map((x) => x.ok)).toEqual([true]);
    expect(count(b)).toBe(5n);
    expect(count(a)).toBe(0n);
    expect(a.outbox).toHaveLength(0);
    b.checkInvariant();
    // B's anchor sent the token back uncoloured to A's chain address: a stray there, until A's next batch
    // sweeps it into the owner's account (the posting contract cannot be told from an uncoloured IOTA).
    expect(a.strayOutputs.map((s) => s.balances.get(colorKey(COLOR_IOTA)))).toEqual([1n]);
    a.checkInvariant();
    const owner = a.iotas(a.owner);
    expect(a.postRequest({ contract: 'counter', entryPoint: 'increment' }).ok).toBe(true);
    expect(a.strayOutputs).toHaveLength(0);
    expect(a.iotas(a.owner)).toBe(owner + 1n);
    a.checkInvariant();
  });

  it('a batch sweeps at most ANCHOR_LIMITS.straysMax strays; the rest go with the next ones', () => {
    const a = counterChain(11);
    const w = a.newWallet('w');
    for (let i = 0; i < ANCHOR_LIMITS.straysMax + 3; i++) a.sendWithoutRequest(w, BigInt(i + 1));
    const owner = a.iotas(a.owner);
    a.postRequest({ contract: 'counter', entryPoint: 'increment', sender: w });
    expect(a.strayOutputs).toHaveLength(3);
    a.checkInvariant();
    a.postRequest({ contract: 'counter', entryPoint: 'increment', sender: w });
    expect(a.strayOutputs).toHaveLength(0);
    const n = ANCHOR_LIMITS.straysMax + 3;
    expect(a.iotas(a.owner) - owner).toBe(BigInt((n * (n + 1)) / 2));
    a.checkInvariant();
  });

  it('a request a contract posts to its own chain waits in the chain UTXO and is processed exactly once', () => {
    const a = counterChain(3);
    expect(a.postRequest({ contract: 'counter', entryPoint: 'incrementOn', params: { chain: addressBytes(a.chainId), n: encU64(3n) }, transfer: 4n }).ok).toBe(true);
    a.checkInvariant();
    expect(a.iotas(a.contractAgent('counter'))).toBe(3n);
    const got = a.deliverOutbox();
    expect(got).toHaveLength(1);
    expect(count(a)).toBe(3n);
    // The token came home uncoloured: the contract has its IOTA back.
    expect(a.iotas(a.contractAgent('counter'))).toBe(4n);
    a.checkInvariant();
    expect(a.deliverOutbox()).toHaveLength(0);
    expect(count(a)).toBe(3n);
  });

  it('a later request on the chain takes a pending self-posted request along (it cannot be left behind)', () => {
    const a = counterChain(4);
    a.postRequest({ contract: 'counter', entryPoint: 'incrementOn', params: { chain: addressBytes(a.chainId) }, transfer: 1n });
    const w = a.newWallet('w');
    expect(a.postRequest({ contract: 'counter', entryPoint: 'increment', params: { n: encU64(10n) }, sender: w }).ok).toBe(true);
    expect(count(a)).toBe(11n);
    a.checkInvariant();
  });

  it('a contract that cannot pay the request token gets a clear error; the chain goes on', () => {
    const a = counterChain(5);
    const b = counterChain(6);
    const r = a.postRequest({ contract: 'counter', entryPoint: 'incrementOn', params: { chain: addressBytes(b.chainId) } });
    expect(r.ok).toBe(false);
    expect(r.error?.kind).toBe('InsufficientFunds');
    expect(r.error?.message).toMatch(/request token/);
    expect(a.outbox).toHaveLength(0);
    expect(a.postRequest({ contract: 'counter', entryPoint: 'increment' }).ok).toBe(true);
    a.checkInvariant();
  });

  it('withdrawToChain both ways: a contract parks funds on chain B and gets them home to chain A', () => {
    const a = counterChain(7);
    const b = counterChain(8);
    const vault: AgentID = a.contractAgent('vault');
    expect(a.postRequest({ contract: 'vault', entryPoint: 'stash', params: { c: addressBytes(b.chainId) }, transfer: 20n }).ok).toBe(true);
    expect(a.iotas(vault)).toBe(20n - 10n - 1n);
    expect(a.deliverOutbox(b).every((x) => x.ok)).toBe(true);
    expect(b.iotas(vault)).toBe(10n);
    expect(a.postRequest({ contract: 'vault', entryPoint: 'recall', params: { c: addressBytes(b.chainId) } }).ok).toBe(true);
    expect(a.iotas(vault)).toBe(9n - 1n - 1n); // 1 IOTA sent with the request, 1 for its token
    expect(a.deliverOutbox(b).every((x) => x.ok)).toBe(true);
    expect(b.iotas(vault)).toBe(0n);
    expect(b.outbox).toHaveLength(1);
    const home = b.deliverOutbox(a);
    expect(home.every((x) => x.ok)).toBe(true);
    // 10 + 1 sent with recall, minus 1 for the home request's token
    expect(a.iotas(vault)).toBe(7n + 10n);
    a.checkInvariant();
    b.checkInvariant();
    const dep = b.lastResults.at(-1)!.outgoingRequests[0]!;
    expect(Dict.fromArgs(dep.args).bytes(P.agentID)).toEqual(encAgentID(vault));
  });

  it('a request to the own chain cannot be time-locked (its token sits in the chain UTXO the next block consumes)', () => {
    const a = counterChain(9);
    const r = a.postRequest({ contract: 'vault', entryPoint: 'later', transfer: 1n });
    expect(r.error?.kind).toBe('BadParams');
    expect(r.error?.message).toMatch(/time-locked/);
  });

  it('a time-locked wallet request stays on the chain until its time, then is processed once', () => {
    const a = counterChain(10);
    const at = Number(a.clock / 1_000_000_000n) + 60;
    expect(a.postRequests([{ contract: 'counter', entryPoint: 'increment', timelock: at }])).toHaveLength(0);
    expect(count(a)).toBe(0n);
    a.postRequest({ contract: 'counter', entryPoint: 'increment', params: { n: encU64(2n) } });
    expect(count(a)).toBe(2n);
    a.advanceClock(60n * 1_000_000_000n);
    a.postRequest({ contract: 'counter', entryPoint: 'increment', params: { n: encU64(4n) } });
    expect(count(a)).toBe(7n);
    a.postRequest({ contract: 'counter', entryPoint: 'increment', params: { n: encU64(8n) } });
    expect(count(a)).toBe(15n);
    a.checkInvariant();
  });
});
