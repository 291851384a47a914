import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describeOpenedLog, FileLog } from './filelog';
import { crc32, encodeRecord, LedgerLogCorruptError, LOG_LIMITS, parseLog, RECORD_HEADER_BYTES } from './log';
import { PersistentLedger, replayLedger } from './persistent';
import { Faucet, faucetGenesis, faucetKeyPair } from './faucet';
import { testLedger, wallets, iotas } from './testkit';

const [alice, bob] = wallets(2, 7);
if (!alice || !bob) throw new Error('wallets');
const kp = faucetKeyPair();
const [addrA, addrB] = [alice.address, bob.address];
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function open(path: string, repair = false) {
  const ledger = testLedger([], { genesis: [faucetGenesis(kp)], confirmDelayMs: 10 });
  const opened = FileLog.open(path, { repair });
  const { log, records, droppedTailBytes } = opened;
  const replayed = replayLedger(ledger, records);
  return { pl: new PersistentLedger(ledger, log), log, ledger, replayed, droppedTailBytes, opened, faucet: new Faucet(ledger, kp) };
}

function tmpLog(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-'));
  dirs.push(dir);
  return join(dir, 'ledger.log');
}

/** A log of `n` faucet payouts, each confirmed: 2n records, booked and confirmed interleaved. */
function writeLog(path: string, n: number): { txIds: Uint8Array[] } {
  const a = open(path);
  const txIds: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    txIds.push(a.pl.submit(a.faucet.request(i % 2 ? addrA : addrB), i * 10).txId);
    a.pl.tick(i * 10 + 10);
  }
  a.log.close();
  return { txIds };
}

/** Start offsets of the records of a well-formed log. */
function recordOffsets(bytes: Uint8Array): number[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  for (let off = 0; off < bytes.length; off += RECORD_HEADER_BYTES + v.getUint32(off, true)) out.push(off);
  return out;
}

function flipBit(path: string, byte: number, bit: number): Uint8Array {
  const b = new Uint8Array(readFileSync(path));
  b[byte] = (b[byte] as number) ^ (1 << bit);
  writeFileSync(path, b);
  return b;
}

function openError(path: string): LedgerLogCorruptError {
  try {
    FileLog.open(path).log.close();
  } catch (e) {
    if (e instanceof LedgerLogCorruptError) return e;
    throw e;
  }
  throw new Error(`${path} opened`);
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

  it("a bit flipped in a middle record's length refuses to start, naming the file, the offset and the way out", () => {
    const path = tmpLog();
    writeLog(path, 30);
    const good = readFileSync(path);
    const offsets = recordOffsets(good);
    expect(offsets.length).toBe(60);
    const victim = offsets[20] as number;
    // Every one of the 32 length bits: shorter, longer inside the file, past the end, beyond the record limit.
    for (let bit = 0; bit < 32; bit++) {
      writeFileSync(path, good);
      const damaged = flipBit(path, victim + Math.floor(bit / 8), bit % 8);
      const e = openError(path);
      expect(e.file).toBe(path);
      expect(e.offset).toBe(victim);
      expect(e.intactRecords).toBe(20);
      expect(e.message).toContain(`${path} is corrupt at byte ${victim}`);
      expect(e.message).toMatch(/--repair/);
      expect(e.message).toMatch(/backup/);
      // Refusing changes nothing on disk.
      expect(new Uint8Array(readFileSync(path))).toEqual(damaged);
      expect(readdirSync(dirname(path))).toEqual(['ledger.log']);
    }
  });

  it("a bit flipped in a middle record's body refuses to start with the offset", () => {
    const path = tmpLog();
    writeLog(path, 30);
    const good = readFileSync(path);
    const offsets = recordOffsets(good);
    for (const [i, at] of [[7, 3], [21, 0], [58, 40]] as const) {
      writeFileSync(path, good);
      const off = offsets[i] as number;
      flipBit(path, off + RECORD_HEADER_BYTES + at, 5);
      const e = openError(path);
      expect(e.offset).toBe(off);
      expect(e.intactRecords).toBe(i);
      expect(e.reason).toMatch(/checksum mismatch, and a valid record follows at byte/);
    }
    // and in the checksum itself
    writeFileSync(path, good);
    flipBit(path, (offsets[9] as number) + 5, 0);
    expect(openError(path).offset).toBe(offsets[9]);
  });

  it('a torn tail is still dropped at any cut, and said so for the log; a zero-filled tail too', () => {
    const path = tmpLog();
    const { txIds } = writeLog(path, 5);
    const good = readFileSync(path);
    const last = recordOffsets(good).at(-1) as number;
    // Cut inside the last record, and a last record whose length or checksum was not fully written.
    for (const cut of [1, 20, good.length - last - RECORD_HEADER_BYTES, good.length - last - 1]) {
      writeFileSync(path, good.subarray(0, good.length - cut));
      const b = open(path);
      expect(b.opened.torn?.kind).toBe('torn');
      expect(b.opened.torn?.offset).toBe(last);
      expect(b.droppedTailBytes).toBe(last === good.length - cut ? 0 : good.length - cut - last);
      expect(describeOpenedLog(b.opened)).toMatch(new RegExp(`dropped a torn last record \\(${b.droppedTailBytes} bytes at byte ${last}`));
      expect(b.replayed).toEqual({ booked: 5, confirmed: 4 });
      expect(b.ledger.getInclusionState(txIds[4] as Uint8Array)?.state).toBe('booked');
      b.log.close();
      expect(statSync(path).size).toBe(last);
    }
    // A crash after the file grew but before its data reached the disk can leave zeros (XFS does).
    writeFileSync(path, good);
    appendFileSync(path, new Uint8Array(4096));
    const z = open(path);
    expect(z.droppedTailBytes).toBe(4096);
    expect(z.replayed).toEqual({ booked: 5, confirmed: 5 });
    z.log.close();
    // The last record's checksum wrong, nothing after it: indistinguishable from a torn write, so dropped.
    flipBit(path, last + RECORD_HEADER_BYTES + 2, 1);
    const c = open(path);
    expect(c.droppedTailBytes).toBe(good.length - last);
    expect(c.opened.torn?.reason).toBe('record checksum mismatch');
    c.log.close();
  });

  it('a bad tail longer than one record is corruption, not a torn write', () => {
    const path = tmpLog();
    writeLog(path, 3);
    const size = statSync(path).size;
    appendFileSync(path, new Uint8Array(LOG_LIMITS.tornTailBytesMax + 1));
    const e = openError(path);
    expect(e.offset).toBe(size);
    expect(e.reason).toMatch(/more than a torn write can leave/);
  });

  it('a torn tail crafted to look like many long records is called corrupt once the scan budget is spent', () => {
    const path = tmpLog();
    writeLog(path, 2);
    const size = statSync(path).size;
    // u32 100000 at every 4th byte: each of those offsets passes the length check and costs a 100 kB checksum.
    const tail = new Uint8Array(200_000);
    const v = new DataView(tail.buffer);
    for (let i = 4; i + 4 <= tail.length; i += 4) v.setUint32(i, 100_000, true);
    tail[0] = 0xff; // the first record's own length is out of range
    appendFileSync(path, tail);
    const e = openError(path);
    expect(e.offset).toBe(size);
    expect(e.reason).toMatch(/too many record-like lengths/);
  });

  it('a record whose checksum is right but that does not decode is corruption even at the end', () => {
    const path = tmpLog();
    writeLog(path, 2);
    const size = statSync(path).size;
    const payload = new Uint8Array(LOG_LIMITS.recordPayloadBytesMin).fill(9); // record kind 9 does not exist
    const rec = encodeRecord({ kind: 'confirmed', atMs: 0, txId: new Uint8Array(32) });
    rec.set(payload, RECORD_HEADER_BYTES);
    new DataView(rec.buffer).setUint32(4, crc32(payload), true);
    appendFileSync(path, rec);
    const e = openError(path);
    expect(e.offset).toBe(size);
    expect(e.reason).toMatch(/does not decode/);
  });

  it('--repair keeps the valid prefix, preserves the damaged file whole, and the ledger goes on from there', () => {
    const path = tmpLog();
    const { txIds } = writeLog(path, 30);
    const good = readFileSync(path);
    const offsets = recordOffsets(good);
    const victim = offsets[20] as number; // record 20 = booked tx 10
    const damaged = flipBit(path, victim + 2, 4); // length + 2^20: runs past the end (the truncation of the report)

    const r = open(path, true);
    expect(r.opened.repaired).toMatchObject({ offset: victim, droppedBytes: good.length - victim, movedTo: `${path}.corrupt-1` });
    expect(describeOpenedLog(r.opened)).toMatch(/REPAIRED: dropped \d+ bytes from byte \d+ .* kept as .*ledger\.log\.corrupt-1/);
    expect(r.replayed).toEqual({ booked: 10, confirmed: 10 });
    expect(r.ledger.getInclusionState(txIds[9] as Uint8Array)?.state).toBe('confirmed');
    expect(r.ledger.getInclusionState(txIds[10] as Uint8Array)).toBeUndefined();
    expect(new Uint8Array(readFileSync(`${path}.corrupt-1`))).toEqual(damaged);
    expect(new Uint8Array(readFileSync(path))).toEqual(new Uint8Array(good.subarray(0, victim)));
    expect(existsSync(`${path}.repair-tmp`)).toBe(false);
    // the repaired log takes appends and reopens clean, without --repair
    expect(r.pl.submit(r.faucet.request(alice.address), 1000).state).toBe('booked');
    r.log.close();
    const again = open(path);
    expect(again.replayed).toEqual({ booked: 11, confirmed: 10 });
    expect(again.opened.repaired).toBeUndefined();
    expect(again.opened.torn).toBeUndefined();
    again.log.close();

    // A second repair does not overwrite the first copy.
    const before = readFileSync(path);
    flipBit(path, (recordOffsets(before)[3] as number) + RECORD_HEADER_BYTES + 1, 0);
    const r2 = open(path, true);
    expect(r2.opened.repaired?.movedTo).toBe(`${path}.corrupt-2`);
    expect(new Uint8Array(readFileSync(`${path}.corrupt-1`))).toEqual(damaged);
    r2.log.close();
  });

  it('--repair on a healthy or torn log changes nothing more than a plain open', () => {
    const path = tmpLog();
    writeLog(path, 3);
    const good = readFileSync(path);
    const r = open(path, true);
    expect(r.opened.repaired).toBeUndefined();
    r.log.close();
    expect(readFileSync(path)).toEqual(good);
    truncateSync(path, good.length - 3);
    const t = open(path, true);
    expect(t.opened.repaired).toBeUndefined();
    expect(t.opened.torn).toBeDefined();
    t.log.close();
    expect(readdirSync(dirname(path))).toEqual(['ledger.log']);
  });
});
