import type { SignatureVerifier } from '../protocol/transaction';
import { ed25519PreCheck, ed25519VerifyNoble } from './ed25519';
import { ed25519KeyCache, nodeCrypto } from './node-keys';

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

/** Imported node:crypto keys kept (oldest dropped first): one per recently seen wallet. */
export const NODE_KEY_CACHE_MAX = 4096;

function nodeEd25519Verify(): (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean {
  const crypto = nodeCrypto();
  if (!crypto) throw new Error("ed25519Impl 'node' needs Node ≥ 20.16 (process.getBuiltinModule); use 'noble' here");
  const keyOf = ed25519KeyCache(crypto, 'public', NODE_KEY_CACHE_MAX);
  return (publicKey, message, signature) => {
    if (!ed25519PreCheck(publicKey, signature)) return false;
    try {
      return crypto.verify(null, message, keyOf(publicKey), signature);
    } catch {
      return false; // not a point on the curve
    }
  };
}
