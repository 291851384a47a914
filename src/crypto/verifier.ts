import type { SignatureVerifier } from '../protocol/transaction';
import { toHex } from '../protocol/bytes';
import { ed25519PreCheck, ed25519VerifyNoble } from './ed25519';

export type Ed25519Impl = 'noble' | 'node';
export type BlsVerifyFn = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean;

export interface SignatureVerifierOptions {
  /** 'node' = node:crypto (OpenSSL, ≈8× faster; the hub); 'noble' = @noble/curves (the browser). */
  readonly ed25519Impl: Ed25519Impl;
  /** Injected so the ledger does not depend on which BLS library the crypto layer picked. */
  readonly bls: BlsVerifyFn;
}

/**
 * Both ed25519 implementations accept exactly the same signatures: the shared pre-check (canonical S, canonical
 * and not-small-order public key) runs first, then the same cofactorless equation (see ed25519.ts).
 */
export function createSignatureVerifier(opts: SignatureVerifierOptions): SignatureVerifier {
  const ed = opts.ed25519Impl === 'node' ? nodeEd25519Verify() : ed25519VerifyNoble;
  return { ed25519: ed, bls: opts.bls };
}

/** A verifier whose BLS check always fails: for wallets and tests that never see BLS-signed inputs. */
export const rejectAllBls: BlsVerifyFn = () => false;

// DER SubjectPublicKeyInfo header for a raw 32-byte Ed25519 key (RFC 8410).
const SPKI_ED25519_PREFIX = Uint8Array.of(0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00);

/** Imported node:crypto keys kept (oldest dropped first): one per recently seen wallet. */
export const NODE_KEY_CACHE_MAX = 4096;

function nodeEd25519Verify(): (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean {
  // getBuiltinModule keeps this file importable in the browser: node:crypto is only reached when asked for.
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const crypto = proc?.getBuiltinModule?.('node:crypto') as typeof import('node:crypto') | undefined;
  if (!crypto) throw new Error("ed25519Impl 'node' needs Node ≥ 20.16 (process.getBuiltinModule); use 'noble' here");
  // Importing a key costs more than verifying with it (measured ≈1.4×), and senders repeat: keep recent ones.
  const keys = new Map<string, import('node:crypto').KeyObject>();
  return (publicKey, message, signature) => {
    if (!ed25519PreCheck(publicKey, signature)) return false;
    try {
      const hex = toHex(publicKey);
      let key = keys.get(hex);
      if (!key) {
        const der = new Uint8Array(SPKI_ED25519_PREFIX.length + 32);
        der.set(SPKI_ED25519_PREFIX);
        der.set(publicKey, SPKI_ED25519_PREFIX.length);
        key = crypto.createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
        if (keys.size >= NODE_KEY_CACHE_MAX) keys.delete(keys.keys().next().value as string);
        keys.set(hex, key);
      }
      return crypto.verify(null, message, key, signature);
    } catch {
      return false; // not a point on the curve
    }
  };
}
