import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Faucet, faucetGenesis, faucetKeyPair, FaucetLimitError, HUB_FAUCET_LIMITS, type FaucetLimits } from './faucet';
import { FAUCET_KEY_FILE, FaucetKeyError, loadOrCreateFaucetKey } from './faucetkey';
import { FileLog, LEDGER_LOG_FILE } from './filelog';
import { PersistentLedger, replayLedger } from './persistent';
import { testLedger, transfer, wallets, iotas } from './testkit';
import type { Ed25519KeyPair } from '../crypto/ed25519';
import type { Address } from '../protocol/ids';

const ws = wallets(40, 11);
const addr = (i: number): Address => (ws[i] as Ed25519KeyPair).address;
const kp = faucetKeyPair('faucet.test');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'faucet-'));
  dirs.push(d);
  return d;
}

const LIMITS: FaucetLimits = { perAddressMax: 3_000_000n, burst: 4, refillMs: 1000 };

function limited(limits = LIMITS) {
  let now = 0;
  const ledger = testLedger([], { genesis: [faucetGenesis(kp)], confirmDelayMs: 5 });
  const faucet = new Faucet(ledger, kp, 1_000_000n, { limits, nowMs: () => now });
  const pay = (i: number) => ledger.submit(faucet.request(addr(i)), now);
  return { ledger, faucet, pay, advance: (ms: number) => (now += ms) };
}

function refusal(f: () => unknown): FaucetLimitError {
  try {
    f();
  } catch (e) {
    if (e instanceof FaucetLimitError) return e;
    throw e;
  }
  throw new Error('not refused');
}

describe('faucet limits', () => {
  it('a per-address cap: an address gets at most perAddressMax, whatever the clock', () => {
    const f = limited({ ...LIMITS, burst: 100 });
    for (let k = 0; k < 3; k++) expect(f.pay(0).state).toBe('booked');
    const e = refusal(() => f.faucet.request(addr(0)));
    expect(e.limit).toBe('per-address');
    expect(e.retryAfterMs).toBeUndefined();
    expect(e.message).toMatch(/already received 3000000 of the 3000000 iotas/);
    f.advance(1e9);
    expect(refusal(() => f.faucet.request(addr(0))).limit).toBe('per-address');
    expect(f.pay(1).state).toBe('booked'); // others still get theirs
    expect(f.faucet.paidTo(addr(0))).toBe(3_000_000n);
  });

  it('a rate limit: burst payouts at once, then one per refillMs, with the wait in the refusal', () => {
    const f = limited();
    for (let i = 0; i < 4; i++) expect(f.pay(i).state).toBe('booked');
    const e = refusal(() => f.faucet.request(addr(10)));
    expect(e).toMatchObject({ limit: 'rate', retryAfterMs: 1000 });
    expect(e.message).toMatch(/try again in 1000 ms/);
    f.advance(400);
    expect(refusal(() => f.faucet.request(addr(10))).retryAfterMs).toBe(600);
    f.advance(600);
    expect(f.pay(10).state).toBe('booked');
    expect(refusal(() => f.faucet.request(addr(11))).limit).toBe('rate');
    // Savings are capped at the burst: an hour idle buys 4 payouts, not 3600.
    f.advance(3_600_000);
    for (let i = 20; i < 24; i++) expect(f.pay(i).state).toBe('booked');
    expect(refusal(() => f.faucet.request(addr(24))).limit).toBe('rate');
    // A clock stepping back refills nothing and does not throw off the bucket.
    f.advance(-10_000);
    expect(refusal(() => f.faucet.request(addr(24))).limit).toBe('rate');
  });

  it('refusals are not charged: a capped or self request costs no slot', () => {
    const f = limited({ ...LIMITS, perAddressMax: 1_000_000n, burst: 2 });
    expect(f.pay(0).state).toBe('booked');
    for (let k = 0; k < 5; k++) expect(refusal(() => f.faucet.request(addr(0))).limit).toBe('per-address');
    expect(() => f.faucet.request(kp.address)).toThrow(/itself/);
    expect(f.pay(1).state).toBe('booked');
  });

  it('fresh addresses cannot outrun the rate: 40 addresses in one instant get burst payouts', () => {
    const f = limited();
    let paid = 0;
    for (let i = 0; i < 40; i++) {
      try {
        f.pay(i);
        paid++;
      } catch (e) {
        if (!(e instanceof FaucetLimitError)) throw e;
      }
    }
    expect(paid).toBe(LIMITS.burst);
  });

  it('the per-address count survives a restart: it is recounted from the replayed ledger', () => {
    const path = join(tmp(), LEDGER_LOG_FILE);
    const run = (nowMs: number) => {
      const ledger = testLedger([], { genesis: [faucetGenesis(kp)], confirmDelayMs: 5 });
      const opened = FileLog.open(path);
      replayLedger(ledger, opened.records);
      return { pl: new PersistentLedger(ledger, opened.log), log: opened.log, faucet: new Faucet(ledger, kp, 1_000_000n, { limits: LIMITS, nowMs: () => nowMs }) };
    };
    const a = run(0);
    a.pl.submit(a.faucet.request(addr(0)), 0);
    a.pl.submit(a.faucet.request(addr(0)), 0);
    a.pl.tick(10);
    a.pl.submit(a.faucet.request(addr(1)), 10); // booked, not confirmed
    // addr(1) sends some back to the faucet: not a payout, though the faucet walks back through its output
    const [out1] = a.pl.ledger.getUnspentOutputs(addr(1));
    const back = transfer(ws[1] as Ed25519KeyPair, [(out1 as { id: { txId: Uint8Array; address: Address } }).id], [
      { address: kp.address, balances: iotas(400_000n) },
      { address: addr(1), balances: iotas(600_000n) },
    ]);
    expect(a.pl.submit(back, 10).state).toBe('booked');
    a.log.close();
    const b = run(100);
    expect(b.faucet.paidTo(addr(0))).toBe(2_000_000n);
    expect(b.faucet.paidTo(addr(1))).toBe(1_000_000n);
    expect(b.faucet.paidTo(addr(2))).toBe(0n);
    b.pl.submit(b.faucet.request(addr(0)), 100);
    expect(refusal(() => b.faucet.request(addr(0))).limit).toBe('per-address');
    b.log.close();
  });

  it('an unlimited faucet (simulations) keeps paying one address', () => {
    const ledger = testLedger([], { genesis: [faucetGenesis(kp)], confirmDelayMs: 5 });
    const f = new Faucet(ledger, kp, 1n << 30n);
    for (let k = 0; k < 20; k++) expect(ledger.submit(f.request(addr(0)), 0).state).toBe('booked');
    expect(ledger.getUnspentOutputs(addr(0)).length).toBe(20);
  });

  it('bad limits are refused at construction', () => {
    const ledger = testLedger([]);
    expect(() => new Faucet(ledger, kp, 0n)).toThrow(RangeError);
    expect(() => new Faucet(ledger, kp, 10n, { limits: LIMITS })).toThrow(/clock/);
    expect(() => new Faucet(ledger, kp, 10n, { limits: { ...LIMITS, burst: 0 }, nowMs: () => 0 })).toThrow(/burst/);
    expect(() => new Faucet(ledger, kp, 10n, { limits: { ...LIMITS, refillMs: 0.5 }, nowMs: () => 0 })).toThrow(/refillMs/);
    expect(() => new Faucet(ledger, kp, 10n, { limits: { ...LIMITS, perAddressMax: 9n }, nowMs: () => 0 })).toThrow(/perAddressMax/);
    expect(HUB_FAUCET_LIMITS.perAddressMax % 1_000_000n).toBe(0n);
  });
});

describe('faucet batches', () => {
  it('one transaction pays a batch (a repeated address in one output); the log grows by a fraction of a transaction per payout', () => {
    const path = join(tmp(), LEDGER_LOG_FILE);
    const ledger = testLedger([], { genesis: [faucetGenesis(kp)], confirmDelayMs: 5 });
    const opened = FileLog.open(path);
    const pl = new PersistentLedger(ledger, opened.log);
    const faucet = new Faucet(ledger, kp, 1_000_000n, { limits: { ...HUB_FAUCET_LIMITS, burst: 256 }, nowMs: () => 0 });
    const one = statSync(path).size;
    pl.submit(faucet.request(addr(0)), 0);
    const single = statSync(path).size - one;
    const batch = [...Array.from({ length: 30 }, (_, i) => addr(i + 1)), addr(1)];
    for (const a of batch) faucet.reserve(a);
    const tx = faucet.build(batch);
    expect(tx.inputs).toHaveLength(1);
    expect(tx.outputs).toHaveLength(31); // 30 addresses + the faucet's remainder
    const before = statSync(path).size;
    expect(pl.submit(tx, 0).state).toBe('booked');
    pl.tick(10);
    const perPayout = (statSync(path).size - before) / batch.length;
    console.log(`faucet log bytes: ${single} for a single payout, ${perPayout.toFixed(0)} per payout in a batch of ${batch.length} (×${(single / perPayout).toFixed(1)} less)`);
    expect(perPayout).toBeLessThan(single / 3);
    expect(ledger.getUnspentOutputs(addr(1)).reduce((a, o) => a + (o.balances.get('00'.repeat(32)) ?? 0n), 0n)).toBe(2_000_000n);
    expect(faucet.paidTo(addr(1))).toBe(2_000_000n);
    opened.log.close();
  });

  it('a reservation counts against the limits at once, and release gives it back', () => {
    const { faucet } = limited({ perAddressMax: 2_000_000n, burst: 2, refillMs: 1000 });
    faucet.reserve(addr(0));
    faucet.reserve(addr(0));
    expect(refusal(() => faucet.reserve(addr(0))).limit).toBe('per-address');
    expect(refusal(() => faucet.reserve(addr(1))).limit).toBe('rate');
    faucet.release(addr(0));
    expect(faucet.paidTo(addr(0))).toBe(1_000_000n);
    faucet.reserve(addr(1));
    expect(() => faucet.build(Array.from({ length: 129 }, (_, i) => addr(i % 40)))).toThrow(/1\.\.128 addresses/);
  });
});

describe('faucet key', () => {
  it('is random, created once in the data folder with mode 600, and reused', () => {
    const d = tmp();
    const lines: string[] = [];
    const k1 = loadOrCreateFaucetKey(d, (l) => lines.push(l));
    expect(lines).toEqual([`faucet: created a private key in ${join(d, FAUCET_KEY_FILE)} (mode 600)`]);
    if (process.platform !== 'win32') expect(statSync(join(d, FAUCET_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(d, FAUCET_KEY_FILE), 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    const k2 = loadOrCreateFaucetKey(d, (l) => lines.push(l));
    expect(k2.address).toEqual(k1.address);
    expect(lines.length).toBe(1);
    // not the public label key, and another folder (or --memory) gets another key
    expect(k1.address).not.toEqual(faucetKeyPair().address);
    expect(loadOrCreateFaucetKey(tmp()).address).not.toEqual(k1.address);
    expect(loadOrCreateFaucetKey(undefined).address).not.toEqual(loadOrCreateFaucetKey(undefined).address);
  });

  it('a key file others can read is tightened to 600 and said so', () => {
    if (process.platform === 'win32') return;
    const d = tmp();
    const k = loadOrCreateFaucetKey(d);
    chmodSync(join(d, FAUCET_KEY_FILE), 0o644);
    const lines: string[] = [];
    expect(loadOrCreateFaucetKey(d, (l) => lines.push(l)).address).toEqual(k.address);
    expect(statSync(join(d, FAUCET_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(lines[0]).toMatch(/readable by other users; its permissions are now 600/);
  });

  it('a damaged key file is an error, never a silent new key', () => {
    const d = tmp();
    writeFileSync(join(d, FAUCET_KEY_FILE), 'abc\n', { mode: 0o600 });
    expect(() => loadOrCreateFaucetKey(d)).toThrow(FaucetKeyError);
    expect(readFileSync(join(d, FAUCET_KEY_FILE), 'utf8')).toBe('abc\n');
  });

  it('a ledger log without its key (an older hub used the label key) is refused with the way out', () => {
    const d = tmp();
    writeFileSync(join(d, LEDGER_LOG_FILE), new Uint8Array(100));
    expect(() => loadOrCreateFaucetKey(d)).toThrow(/ledger\.log exists but .*faucet\.key does not.*public label.*move .*ledger\.log aside/);
    // an empty log is no history: a key is created
    writeFileSync(join(d, LEDGER_LOG_FILE), new Uint8Array(0));
    expect(() => loadOrCreateFaucetKey(d)).not.toThrow();
  });
});
