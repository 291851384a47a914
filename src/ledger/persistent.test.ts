import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, statSync, truncateSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileLog } from './filelog';
import { encodeRecord, LedgerLogCorruptError, parseLog } from './log';
import { PersistentLedger, replayLedger } from './persistent';
import { Faucet, faucetGenesis, faucetKeyPair } from './faucet';
import { testLedger, wallets, iotas } from './testkit';

const [alice, bob] = wallets(2, 7);
if (!alice || !bob) throw new Error('wallets');
const kp = faucetKeyPair();
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function open(path: string) {
  const ledger = testLedger([], { genesis: [faucetGenesis(kp)], confirmDelayMs: 10 });
  const { log, records, droppedTailBytes } = FileLog.open(path);
  const replayed = replayLedger(ledger, records);
  return { pl: new PersistentLedger(ledger, log), log, ledger, replayed, droppedTailBytes, faucet: new Faucet(ledger, kp) };
}

describe('ledger persistence', () => {
  it('survives a restart: booked and confirmed transactions and outputs come back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-'));
    dirs.push(dir);
    const path = join(dir, 'ledger.log');
    const a = open(path);
    const r1 = a.pl.submit(a.faucet.request(alice.address), 0);
    a.pl.tick(10);
    const r2 = a.pl.submit(a.faucet.request(bob.address), 20); // booked, not confirmed at "crash"
    a.log.close();

    const b = open(path);
    expect(b.replayed).toEqual({ booked: 2, confirmed: 1 });
    expect(b.droppedTailBytes).toBe(0);
    expect(b.ledger.getInclusionState(r1.txId)?.state).toBe('confirmed');
    expect(b.ledger.getInclusionState(r2.txId)?.state).toBe('booked');
    expect(b.ledger.getOutputs(alice.address).map((o) => o.balances)).toEqual([iotas(1_000_000n)]);
    b.pl.tick(30);
    expect(b.ledger.getOutputs(bob.address).map((o) => o.balances)).toEqual([iotas(1_000_000n)]);
    // the faucet continues from its replayed remainder
    expect(b.pl.submit(b.faucet.request(alice.address), 40).state).toBe('booked');
    b.log.close();
  });

  it('a torn last record (file truncated mid-record) is ignored and cut off', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-'));
    dirs.push(dir);
    const path = join(dir, 'ledger.log');
    const a = open(path);
    const r1 = a.pl.submit(a.faucet.request(alice.address), 0);
    const sizeAfterFirst = statSync(path).size;
    const r2 = a.pl.submit(a.faucet.request(bob.address), 1);
    a.log.close();
    for (const cut of [1, 7, 8, 9, 50]) {
      const full = readFileSync(path);
      writeFileSync(`${path}.${cut}`, full);
      truncateSync(`${path}.${cut}`, statSync(path).size - cut);
      const b = open(`${path}.${cut}`);
      expect(b.droppedTailBytes).toBe(statSync(path).size - cut - sizeAfterFirst);
      expect(b.ledger.getInclusionState(r1.txId)?.state).toBe('booked');
      expect(b.ledger.getInclusionState(r2.txId)).toBeUndefined();
      expect(statSync(`${path}.${cut}`).size).toBe(sizeAfterFirst);
      b.log.close();
    }
  });

  it('a bad checksum with good records after it is corruption, not a torn write', () => {
    const ledger = testLedger([], { genesis: [faucetGenesis(kp)] });
    const f = new Faucet(ledger, kp);
    const t1 = f.request(alice.address);
    ledger.submit(t1, 0);
    const t2 = f.request(bob.address);
    const one = encodeRecord({ kind: 'booked', atMs: 0, tx: t1 });
    const two = encodeRecord({ kind: 'booked', atMs: 1, tx: t2 });
    const bytes = new Uint8Array([...one, ...two]);
    bytes[20] = (bytes[20] as number) ^ 0xff;
    expect(() => parseLog(bytes)).toThrow(LedgerLogCorruptError);
    const tornOnly = new Uint8Array([...one, ...two]);
    tornOnly[one.length + 20] = (tornOnly[one.length + 20] as number) ^ 0xff;
    expect(parseLog(tornOnly).records.length).toBe(1);
  });
});
