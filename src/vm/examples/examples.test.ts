import { describe, expect, it } from 'vitest';
import { addressBytes, agentIDBytes, COLOR_IOTA, COLOR_MINT, colorKey, utf8 } from '../../protocol';
import { decU64, encU64 } from '../dict';
import { Solo } from '../solo/solo';
import { contractWasm as wasm } from './wasm-fixture';

const SEC = 1_000_000_000n;

describe('fair roulette (wasm)', () => {
  it('splits the pot among the winners by the entropy-chosen color; funds conserved', () => {
    const ch = Solo.newChain({ seed: 7 });
    expect(ch.deployContract('fairroulette', wasm('fairroulette'), { initParams: { period: encU64(10n * SEC) } }).ok).toBe(true);
    const players = [1, 2, 3, 4, 5, 1].map((c, i) => ({ w: ch.newWallet(`p${i}`, 10_000n), color: BigInt(c), amount: BigInt(100 * (i + 1)) }));
    for (const p of players) expect(ch.postRequest({ contract: 'fairroulette', entryPoint: 'placeBet', params: { color: encU64(p.color) }, transfer: p.amount, sender: p.w }).ok).toBe(true);
    expect(ch.postRequest({ contract: 'fairroulette', entryPoint: 'placeBet', params: { color: encU64(9n) }, transfer: 5n }).error?.message).toMatch(/color must be/);
    expect(ch.postRequest({ contract: 'fairroulette', entryPoint: 'playPeriod' }).error?.message).toMatch(/still open/);
    ch.advanceClock(10n * SEC);
    const play = ch.postRequest({ contract: 'fairroulette', entryPoint: 'playPeriod' });
    expect(play.ok).toBe(true);
    const winning = decU64(ch.callView('fairroulette', 'lastWinningColor').bytes('color'));
    expect(winning).toBeGreaterThanOrEqual(1n);
    expect(winning).toBeLessThanOrEqual(5n);
    const pot = players.reduce((s, p) => s + p.amount, 0n);
    const winTotal = players.filter((p) => p.color === winning).reduce((s, p) => s + p.amount, 0n);
    let paid = 0n;
    for (const p of players) {
      const expected = p.color === winning ? (pot * p.amount) / winTotal : 0n;
      expect(ch.iotas(p.w)).toBe(expected);
      paid += expected;
    }
    expect(ch.iotas(ch.contractAgent('fairroulette'))).toBe(pot - paid);
    expect(decU64(ch.callView('fairroulette', 'roundInfo').bytes('bets'))).toBe(0n);
    ch.checkInvariant();
  });
});

describe('donate with feedback (wasm)', () => {
  it('records donations; only the owner withdraws, to L1', () => {
    const ch = Solo.newChain();
    // 1 IOTA: posting a request costs one for its request token, which comes back uncoloured with the anchor.
    const owner = ch.newWallet('charity', 1n);
    expect(ch.deployContract('donate', wasm('donatewithfeedback'), { initParams: { owner: agentIDBytes(owner.agentId) } }).ok).toBe(true);
    const a = ch.newWallet('a', 1000n);
    const b = ch.newWallet('b', 1000n);
    expect(ch.postRequest({ contract: 'donate', entryPoint: 'donate', params: { f: utf8('great work') }, transfer: 300n, sender: a }).ok).toBe(true);
    expect(ch.postRequest({ contract: 'donate', entryPoint: 'donate', params: { f: utf8('thanks') }, transfer: 500n, sender: b }).ok).toBe(true);
    expect(ch.postRequest({ contract: 'donate', entryPoint: 'donate', sender: b }).error?.message).toMatch(/needs IOTAs/);
    const d = ch.callView('donate', 'donations');
    expect([decU64(d.bytes('count')), decU64(d.bytes('total')), decU64(d.bytes('max'))]).toEqual([2n, 800n, 500n]);
    const first = ch.callView('donate', 'donation', { i: encU64(0n) });
    expect(new TextDecoder().decode(first.bytes('feedback'))).toBe('great work');
    expect(first.bytes('donor')).toEqual(agentIDBytes(a.agentId));
    expect(ch.postRequest({ contract: 'donate', entryPoint: 'withdraw', sender: a }).error?.message).toMatch(/only the owner/);
    expect(ch.postRequest({ contract: 'donate', entryPoint: 'withdraw', params: { s: encU64(200n) }, sender: owner }).ok).toBe(true);
    expect(ch.l1Iotas(owner)).toBe(1n + 200n);
    expect(ch.iotas(ch.contractAgent('donate'))).toBe(600n);
    expect(ch.lastResults.at(-1)!.withdrawals).toHaveLength(1);
    ch.checkInvariant();
  });
});

describe('token registry (wasm)', () => {
  it('mintSupply records an L1 MINT output to the caller and registers the mint', () => {
    const ch = Solo.newChain();
    expect(ch.deployContract('tokenregistry', wasm('tokenregistry')).ok).toBe(true);
    const m = ch.newWallet('minter', 5000n);
    const r = ch.postRequest({ contract: 'tokenregistry', entryPoint: 'mintSupply', params: { s: encU64(1000n), dscr: utf8('My token') }, transfer: 1200n, sender: m });
    expect(r.ok).toBe(true);
    const res = ch.lastResults.at(-1)!;
    expect(res.withdrawals).toHaveLength(1);
    expect(res.withdrawals[0]!.balances.get(colorKey(COLOR_MINT))).toBe(1000n);
    // the new color is the anchor transaction's ID (Solo uses the block hash as the anchor)
    const colors = [...ch.l1Balances(m).keys()].filter((k) => k !== colorKey(COLOR_IOTA));
    expect(colors).toHaveLength(1);
    expect(ch.l1Balances(m).get(colors[0]!)).toBe(1000n);
    expect(ch.iotas(m)).toBe(200n); // the rest stays on-chain for the minter
    expect(decU64(ch.callView('tokenregistry', 'getRegistry').bytes('count'))).toBe(1n);
    const rec = ch.callView('tokenregistry', 'getMint', { i: encU64(0n) });
    expect(new TextDecoder().decode(rec.bytes('description'))).toBe('My token');
    expect(decU64(rec.bytes('supply'))).toBe(1000n);
    expect(ch.postRequest({ contract: 'tokenregistry', entryPoint: 'mintSupply', params: { s: encU64(1000n) }, transfer: 10n, sender: m }).error?.message).toMatch(/at least as many/);
    ch.checkInvariant();
  });
});

describe('vault (wasm)', () => {
  it('stashes IOTA in its account on another chain and recalls them home (deposit there, withdrawToChain back)', () => {
    const a = Solo.newChain({ seed: 61 });
    const b = Solo.newChain({ seed: 62 });
    expect(a.deployContract('vault', wasm('vault')).ok).toBe(true);
    const vault = a.contractAgent('vault');
    const chainB = { chain: addressBytes(b.chainId), n: encU64(10n) };
    expect(a.postRequest({ contract: 'vault', entryPoint: 'stash', params: chainB, transfer: 11n }).ok).toBe(true);
    expect(a.iotas(vault)).toBe(0n); // 10 sent, 1 for the request token
    expect(a.deliverOutbox(b).every((r) => r.ok)).toBe(true);
    expect(b.iotas(vault)).toBe(10n);
    expect(a.postRequest({ contract: 'vault', entryPoint: 'recall', params: chainB, transfer: 2n }).ok).toBe(true);
    expect(a.deliverOutbox(b).every((r) => r.ok)).toBe(true);
    expect(b.iotas(vault)).toBe(0n);
    expect(b.deliverOutbox(a).every((r) => r.ok)).toBe(true);
    expect(a.iotas(vault)).toBe(10n); // 10 + 1 sent with recall, minus 1 for the home request's token
    a.checkInvariant();
    b.checkInvariant();
  });
});
