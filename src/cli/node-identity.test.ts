import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { privateKeyToProtobuf } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';

const keyOf = (k: PrivateKey): string => toHex(privateKeyToProtobuf(k));
import { toHex } from '../protocol/bytes';
import { acquireNodeIdentity } from './node-identity';

const dir = mkdtempSync(join(tmpdir(), 'iscp-node-id-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('CLI node identity file', () => {
  it('is created once and reused (same node key, same peer ID); owner-only', async () => {
    const f = join(dir, 'a.json');
    const first = await acquireNodeIdentity(f);
    expect(first.persistent).toBe(true);
    first.release();
    expect(statSync(f).mode & 0o077).toBe(0);
    const again = await acquireNodeIdentity(f);
    expect(again.persistent).toBe(true);
    expect(toHex(again.secretKey)).toBe(toHex(first.secretKey));
    expect(keyOf(again.peerKey)).toBe(keyOf(first.peerKey));
    again.release();
    expect(existsSync(`${f}.lock`)).toBe(false);
  });

  it('a concurrent run gets a throwaway identity instead of sharing the peer ID', async () => {
    const f = join(dir, 'b.json');
    const held = await acquireNodeIdentity(f);
    const other = await acquireNodeIdentity(f);
    expect(other.persistent).toBe(false);
    expect(keyOf(other.peerKey)).not.toBe(keyOf(held.peerKey));
    held.release();
  });

  it("a lock left by a process that is gone is taken over; an unreadable file is a clear error", async () => {
    const f = join(dir, 'c.json');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid as number;
    writeFileSync(`${f}.lock`, String(dead));
    const id = await acquireNodeIdentity(f);
    expect(id.persistent).toBe(true);
    id.release();
    writeFileSync(f, '{"seed": 1}');
    await expect(acquireNodeIdentity(f)).rejects.toThrow(/node identity .* is unreadable .*move it away/);
    expect(existsSync(`${f}.lock`)).toBe(false);
  });
});
