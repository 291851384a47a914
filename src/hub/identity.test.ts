import './polyfill';
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHub, type Hub } from './hub';
import { parseHubArgs } from './config';
import { IDENTITY_FILE, loadOrCreateHubKey } from './identity';

const dirs: string[] = [];
const hubs: Hub[] = [];
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.stop()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'iscp-hub-id-'));
  dirs.push(d);
  return d;
}

async function start(flags: string[]): Promise<Hub> {
  const h = await startHub({ ...parseHubArgs(['--port', '0', '--ws-port', '0', ...flags], {}), distDir: '/nonexistent' }, () => undefined);
  hubs.push(h);
  return h;
}

describe('hub identity', () => {
  it('a hub restarted with --data keeps its peer ID (and so its multiaddrs for tabs and the CLI)', async () => {
    const data = tmp();
    const first = await start(['--data', data]);
    const peerId = first.info().peerId;
    expect(existsSync(join(data, IDENTITY_FILE))).toBe(true);
    expect(statSync(join(data, IDENTITY_FILE)).mode & 0o077).toBe(0); // the key is the owner's only
    await first.stop();
    hubs.splice(hubs.indexOf(first), 1);

    const second = await start(['--data', data]);
    expect(second.info().peerId).toBe(peerId);
    expect(second.info().multiaddrs.every((m) => m.endsWith(`/p2p/${peerId}`))).toBe(true);
  });

  it('--memory and another data folder get other peer IDs', async () => {
    const a = await start(['--data', tmp()]);
    const b = await start(['--data', tmp()]);
    const m = await start(['--memory']);
    expect(new Set([a.info().peerId, b.info().peerId, m.info().peerId]).size).toBe(3);
  });

  it('an unreadable identity file is a clear error, not a silent new identity', async () => {
    const data = tmp();
    writeFileSync(join(data, IDENTITY_FILE), 'not a key');
    await expect(loadOrCreateHubKey(data)).rejects.toThrow(/hub identity .* is unreadable .*move it away to get a new identity/);
  });
});
