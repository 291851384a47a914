import './polyfill';
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHub, type Hub } from './hub';
import { HubConfigError, parseHubArgs } from './config';
import { Faucet, faucetGenesis, faucetKeyPair, HUB_FAUCET_LIMITS } from '../ledger/faucet';
import { NodeConnServer } from '../nodeconn/server';
import { FAUCET_KEY_FILE, FaucetKeyError, loadOrCreateFaucetKey } from '../ledger/faucetkey';
import { FileLog, LEDGER_LOG_FILE } from '../ledger/filelog';
import { LedgerLogCorruptError, RECORD_HEADER_BYTES } from '../ledger/log';
import { PersistentLedger } from '../ledger/persistent';
import { testLedger, wallets } from '../ledger/testkit';

const [alice] = wallets(1, 5);
const aliceAddress = alice?.address;
if (!alice) throw new Error('wallets');
const dirs: string[] = [];
const hubs: Hub[] = [];
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.stop()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function start(flags: string[], lines: string[] = []): Promise<Hub> {
  const h = await startHub({ ...parseHubArgs(['--port', '0', '--ws-port', '0', ...flags], {}), distDir: '/nonexistent' }, (l) => lines.push(l));
  hubs.push(h);
  return h;
}
async function stop(h: Hub): Promise<void> {
  hubs.splice(hubs.indexOf(h), 1);
  await h.stop();
}

/** Writes `n` payouts from the data folder's own faucet key into its ledger log, as a hub would have. */
function writePayouts(data: string, n: number): void {
  const kp = loadOrCreateFaucetKey(data);
  const ledger = testLedger([], { genesis: [faucetGenesis(kp)], confirmDelayMs: 1 });
  const opened = FileLog.open(join(data, LEDGER_LOG_FILE));
  const pl = new PersistentLedger(ledger, opened.log);
  const f = new Faucet(ledger, kp);
  for (let i = 0; i < n; i++) {
    if (!aliceAddress) throw new Error('wallets');
    pl.submit(f.request(aliceAddress), i * 2);
    pl.tick(i * 2 + 1);
  }
  opened.log.close();
}

describe('hub start: faucet key and ledger log', () => {
  it('the hub keeps its faucet key in the data folder and replays the log funded by it', async () => {
    const data = mkdtempSync(join(tmpdir(), 'iscp-hub-ledger-'));
    dirs.push(data);
    const lines: string[] = [];
    await stop(await start(['--data', data], lines));
    expect(lines.some((l) => l.includes(`created a private key in ${join(data, FAUCET_KEY_FILE)}`))).toBe(true);
    expect(statSync(join(data, FAUCET_KEY_FILE)).mode & 0o077).toBe(0);
    const key = readFileSync(join(data, FAUCET_KEY_FILE), 'utf8');

    writePayouts(data, 6);
    const again: string[] = [];
    const h = await start(['--data', data], again);
    expect(again).toContain(`ledger: replayed 6 transactions (6 confirmations) from ${join(data, LEDGER_LOG_FILE)}`);
    expect(readFileSync(join(data, FAUCET_KEY_FILE), 'utf8')).toBe(key);
    expect(h.ledger.ledger.getOutputs(alice.address).length).toBe(6);
  });

  it('a corrupt log stops the hub with the offset; --repair starts it on the valid prefix and keeps the damaged file', async () => {
    const data = mkdtempSync(join(tmpdir(), 'iscp-hub-ledger-'));
    dirs.push(data);
    writePayouts(data, 6);
    const path = join(data, LEDGER_LOG_FILE);
    const bytes = new Uint8Array(readFileSync(path));
    const v = new DataView(bytes.buffer);
    let off = 0;
    for (let r = 0; r < 4; r++) off += RECORD_HEADER_BYTES + v.getUint32(off, true); // record 4 = payout 2
    bytes[off + 2] = (bytes[off + 2] as number) ^ 0x10; // length + 2^20: the report's silent truncation
    writeFileSync(path, bytes);

    const err = await start(['--data', data]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LedgerLogCorruptError);
    expect((err as LedgerLogCorruptError).message).toContain(`${path} is corrupt at byte ${off}`);
    expect(existsSync(`${path}.corrupt-1`)).toBe(false);

    const lines: string[] = [];
    const h = await start(['--data', data, '--repair'], lines);
    expect(lines.find((l) => l.startsWith('ledger: replayed'))).toMatch(new RegExp(`replayed 2 transactions \\(2 confirmations\\).*REPAIRED: dropped ${bytes.length - off} bytes from byte ${off}.*corrupt-1`));
    expect(h.ledger.ledger.getOutputs(alice.address).length).toBe(2);
    expect(new Uint8Array(readFileSync(`${path}.corrupt-1`))).toEqual(bytes);
  });

  it('a data folder whose log predates the private faucet key is refused, not replayed against a new key', async () => {
    const data = mkdtempSync(join(tmpdir(), 'iscp-hub-ledger-'));
    dirs.push(data);
    // What older hubs wrote: payouts from the label-derived key, no faucet.key.
    const kp = faucetKeyPair();
    const ledger = testLedger([], { genesis: [faucetGenesis(kp)] });
    const opened = FileLog.open(join(data, LEDGER_LOG_FILE));
    new PersistentLedger(ledger, opened.log).submit(new Faucet(ledger, kp).request(alice.address), 0);
    opened.log.close();
    await expect(start(['--data', data])).rejects.toThrow(FaucetKeyError);
    expect(existsSync(join(data, FAUCET_KEY_FILE))).toBe(false);
  });

  it('--repair is a flag; it needs a ledger on disk', () => {
    expect(parseHubArgs(['--repair'], {}).repair).toBe(true);
    expect(parseHubArgs([], {}).repair).toBe(false);
    expect(() => parseHubArgs(['--memory', '--repair'], {})).toThrow(HubConfigError);
  });

  it('a capped faucet request gets a rejected inclusion state saying why, over the hub protocol', () => {
    let now = 0;
    const kp = faucetKeyPair('ledger-start.test');
    const ledger = testLedger([], { genesis: [faucetGenesis(kp)] });
    const server = new NodeConnServer(ledger, new Faucet(ledger, kp, 1_000_000n, { limits: { ...HUB_FAUCET_LIMITS, burst: 1 }, nowMs: () => now }));
    const s = server.openSession();
    const ask = (address: typeof alice.address) => server.handle(s, { kind: 'waspToNodeRequestFunds', address }, now)[0] ?? server.flushFaucet(now)[0]?.message;
    expect(ask(alice.address)).toMatchObject({ state: 'booked' });
    expect(ask(alice.address)).toMatchObject({ state: 'rejected', reason: expect.stringMatching(new RegExp(`^faucet: the faucet is busy .* try again in ${HUB_FAUCET_LIMITS.refillMs} ms`)) });
    for (let k = 1; k < 10; k++) {
      now += HUB_FAUCET_LIMITS.refillMs;
      expect(ask(alice.address)).toMatchObject({ state: 'booked' });
    }
    now += HUB_FAUCET_LIMITS.refillMs;
    expect(ask(alice.address)).toMatchObject({ state: 'rejected', reason: expect.stringMatching(/^faucet: address .* already received 10000000 of the 10000000 iotas/) });
  });
});
