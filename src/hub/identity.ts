import { existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';

export const IDENTITY_FILE = 'hub-identity.key';

/** The hub's libp2p key: kept in the data dir so its peer ID (and so its multiaddrs) survive restarts. */
export async function loadOrCreateHubKey(dataDir: string | undefined): Promise<PrivateKey> {
  if (dataDir === undefined) return generateKeyPair('Ed25519');
  const path = join(dataDir, IDENTITY_FILE);
  if (existsSync(path)) {
    try {
      return privateKeyFromProtobuf(readFileSync(path));
    } catch (e) {
      throw new Error(`hub identity ${path} is unreadable (${(e as Error).message}); move it away to get a new identity`);
    }
  }
  const key = await generateKeyPair('Ed25519');
  // Write-then-rename: a crash leaves either no key or a whole one.
  writeFileSync(`${path}.tmp`, privateKeyToProtobuf(key), { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
  return key;
}
