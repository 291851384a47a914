import { chmodSync, closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fromHex, toHex } from '../protocol/bytes';
import { ED25519_SEED_SIZE, ed25519KeyPairFromSeed, type Ed25519KeyPair } from '../crypto/ed25519';
import { LEDGER_LOG_FILE, syncDir } from './filelog';

/** The faucet's private key (hex seed) inside the hub's data folder. */
export const FAUCET_KEY_FILE = 'faucet.key';
/** Owner read/write only: whoever reads the seed can spend the faucet's whole supply. */
export const FAUCET_KEY_MODE = 0o600;

export class FaucetKeyError extends Error {
  override readonly name = 'FaucetKeyError';
}

/**
 * The hub's faucet key (Node only): random, created on first start in `<dataDir>/faucet.key` (mode 0600) and
 * reused after, because the ledger's genesis output belongs to it. Without a data folder (--memory) it is random
 * for this run. `log` hears when a key is created or its file's permissions had to be tightened.
 */
export function loadOrCreateFaucetKey(dataDir: string | undefined, log: (line: string) => void = () => {}): Ed25519KeyPair {
  if (dataDir === undefined) return ed25519KeyPairFromSeed(randomBytes(ED25519_SEED_SIZE));
  const path = join(dataDir, FAUCET_KEY_FILE);
  if (existsSync(path)) return load(path, log);

  const ledgerLog = join(dataDir, LEDGER_LOG_FILE);
  if (existsSync(ledgerLog) && statSync(ledgerLog).size > 0)
    throw new FaucetKeyError(
      `${ledgerLog} exists but ${path} does not: the log was written with another faucet key (hubs before this one derived it from a public label, ` +
        `so anyone could spend its supply; or ${FAUCET_KEY_FILE} was deleted). A new key would not own the log's genesis output, so the log would not replay. ` +
        `Restore ${path}, or move ${ledgerLog} aside to start a fresh ledger with a private faucet key.`,
    );
  const seed = randomBytes(ED25519_SEED_SIZE);
  // Write, sync, rename, sync the folder: a crash leaves no key or the whole key, and the key is on disk before
  // the first ledger record that depends on it.
  const tmp = `${path}.tmp`;
  rmSync(tmp, { force: true });
  const fd = openSync(tmp, 'wx', FAUCET_KEY_MODE);
  try {
    const text = new TextEncoder().encode(`${toHex(seed)}\n`);
    for (let w = 0; w < text.length; ) w += writeSync(fd, text, w, text.length - w);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  syncDir(dataDir);
  const kp = ed25519KeyPairFromSeed(seed);
  log(`faucet: created a private key in ${path} (mode 600)`);
  return kp;
}

function load(path: string, log: (line: string) => void): Ed25519KeyPair {
  const text = readFileSync(path, 'utf8');
  if (!/^[0-9a-f]{64}\n?$/.test(text)) throw new FaucetKeyError(`${path} is not a faucet key (expected ${ED25519_SEED_SIZE * 2} hex digits): restore it from a backup`);
  // POSIX permissions only: elsewhere the mode bits say nothing.
  if (process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0) {
    chmodSync(path, FAUCET_KEY_MODE);
    log(`faucet: ${path} was readable by other users; its permissions are now 600 (if someone read it, they can spend the faucet's supply)`);
  }
  return ed25519KeyPairFromSeed(fromHex(text.trim()));
}
