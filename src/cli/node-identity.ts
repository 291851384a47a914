import { closeSync, existsSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { fromHex, toHex } from '../protocol/bytes';
import { cryptoRng } from '../protocol/rng';
import { CliError } from './errors';

/**
 * The CLI node's identity, kept in a file (default next to the wallet: `.iscp-node.json`): the node key (its node
 * ID on the dashboards) and the libp2p key (its peer ID). Kept because the hub's gossipsub penalizes many
 * identities from one IP (NodeNetIdentity.peerKey says why) — and one CLI peer on the dashboards is clearer.
 * Two CLI runs at once must not share a peer ID (the hub and the tabs would mix their connections), so the file is
 * locked while a run uses it; a second concurrent run gets a throwaway identity.
 */
export interface CliNodeIdentity {
  readonly secretKey: Uint8Array;
  readonly peerKey: PrivateKey;
  /** Whether this run holds the file's identity (false = throwaway for a concurrent run). */
  readonly persistent: boolean;
  release(): void;
}

export async function acquireNodeIdentity(path: string): Promise<CliNodeIdentity> {
  const lock = `${path}.lock`;
  if (!takeLock(lock)) return { secretKey: cryptoRng.bytes(32), peerKey: await generateKeyPair('Ed25519'), persistent: false, release: () => undefined };
  const release = (): void => {
    try {
      unlinkSync(lock);
    } catch {
      // already gone
    }
  };
  try {
    if (existsSync(path)) {
      const o = JSON.parse(readFileSync(path, 'utf8')) as { seed?: unknown; peerKey?: unknown };
      if (typeof o.seed !== 'string' || !/^[0-9a-f]{64}$/.test(o.seed) || typeof o.peerKey !== 'string') throw new Error('missing seed or peerKey');
      return { secretKey: fromHex(o.seed), peerKey: privateKeyFromProtobuf(Buffer.from(o.peerKey, 'base64')), persistent: true, release };
    }
    const secretKey = cryptoRng.bytes(32);
    const peerKey = await generateKeyPair('Ed25519');
    writeFileSync(`${path}.tmp`, JSON.stringify({ seed: toHex(secretKey), peerKey: Buffer.from(privateKeyToProtobuf(peerKey)).toString('base64') }, null, 2) + '\n', { mode: 0o600 });
    renameSync(`${path}.tmp`, path);
    return { secretKey, peerKey, persistent: true, release };
  } catch (e) {
    release();
    throw new CliError(`node identity ${path} is unreadable (${(e as Error).message}); move it away to get a new one`);
  }
}

/** O_EXCL lock file holding our pid; a lock whose process is gone is taken over. */
function takeLock(lock: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return true;
    } catch {
      const pid = Number(readText(lock));
      // Unreadable/empty (being written right now), ours (another run in this very process), or alive: busy.
      if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || alive(pid)) return false;
      try {
        unlinkSync(lock); // stale: its process is gone
      } catch {
        return false;
      }
    }
  }
  return false;
}

function readText(p: string): string {
  try {
    return readFileSync(p, 'utf8').trim();
  } catch {
    return '';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
