import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { equalBytes, fromHex } from '../protocol/bytes';
import { ed25519KeyCache, nodeCrypto } from './node-keys';
import { AddressKind, addressFromPublicKey, type Address } from '../protocol/ids';
import { essenceBytes, ED25519_PUBLIC_KEY_SIZE, ED25519_SIGNATURE_SIZE, type Essence, type Signature, type ValueTransaction } from '../protocol/transaction';

/**
 * Wallet keys: ed25519 from a 32-byte seed (RFC 8032 secret key = the seed). The address is the blake2b-256
 * digest of the public key with type byte Ed25519.
 */
export const ED25519_SEED_SIZE = 32;

export interface Ed25519KeyPair {
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly address: Address;
}

export function ed25519KeyPairFromSeed(seed: Uint8Array): Ed25519KeyPair {
  if (seed.length !== ED25519_SEED_SIZE) throw new RangeError(`ed25519 seed must be ${ED25519_SEED_SIZE} bytes, got ${seed.length}`);
  const publicKey = ed25519.getPublicKey(seed);
  return { seed: seed.slice(), publicKey, address: addressFromPublicKey(AddressKind.Ed25519, publicKey) };
}

/**
 * RFC 8032 signatures are deterministic, so every implementation gives the same bytes: in Node, node:crypto
 * (OpenSSL, ≈10× faster than @noble, which cost the simulator's wallet 13% of its CPU); in the browser, @noble.
 * ed25519.test.ts checks both give identical signatures.
 */
export function ed25519Sign(kp: Ed25519KeyPair, message: Uint8Array): Uint8Array {
  const node = nodeSigner();
  return node ? node(kp.seed, message) : ed25519SignNoble(kp, message);
}

/** @noble/curves signing: the browser's, and the cross-check of the Node one. */
export function ed25519SignNoble(kp: Ed25519KeyPair, message: Uint8Array): Uint8Array {
  return ed25519.sign(message, kp.seed);
}

/** Imported signing keys kept (a wallet signs many transactions with one key). */
const NODE_SIGN_KEYS_MAX = 64;
let nodeSign: ((seed: Uint8Array, message: Uint8Array) => Uint8Array) | null | undefined;

/** node:crypto signing when this runs in Node, else null (the browser signs with @noble). */
function nodeSigner(): ((seed: Uint8Array, message: Uint8Array) => Uint8Array) | null {
  if (nodeSign !== undefined) return nodeSign;
  const crypto = nodeCrypto();
  if (!crypto) return (nodeSign = null);
  const keyOf = ed25519KeyCache(crypto, 'private', NODE_SIGN_KEYS_MAX);
  nodeSign = (seed, message) => new Uint8Array(crypto.sign(null, message, keyOf(seed)));
  return nodeSign;
}

/** Signs the canonical essence bytes: what the ledger checks for every input address of this key. */
export function signEssence(kp: Ed25519KeyPair, essence: Essence): Signature {
  return { kind: AddressKind.Ed25519, publicKey: kp.publicKey, signature: ed25519Sign(kp, essenceBytes(essence)) };
}

/** Essence + one signature per key pair (one per distinct input address, as the ledger requires). */
export function signTransaction(essence: Essence, keys: readonly Ed25519KeyPair[]): ValueTransaction {
  return { ...essence, signatures: keys.map((k) => signEssence(k, essence)) };
}

/* ------------------------------------------------------------------ strict verification rule */

const P = 2n ** 255n - 19n;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

function leToBigint(b: Uint8Array): bigint {
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i] as number);
  return n;
}

/**
 * y-coordinates of the 8 small-order points (the identity, (0,−1), the two of order 4 with y = 0, and the
 * four of order 8), computed from one order-8 point so no table has to be trusted.
 */
const SMALL_ORDER_Y: ReadonlySet<bigint> = (() => {
  const t8 = ed25519.Point.fromBytes(fromHex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a'));
  const ys = new Set<bigint>();
  let p = ed25519.Point.ZERO;
  for (let i = 0; i < 8; i++) {
    ys.add(p.toAffine().y);
    p = p.add(t8);
  }
  return ys;
})();

/**
 * The checks our rule adds in front of any ed25519 implementation (see docs/decisions/ledger-ed25519-strictness.md):
 * sizes, S canonical (S < L: no malleable S+L), public key canonical (y < p) and not of small order.
 * Returns false when the signature must be rejected before the curve equation is even tried.
 */
export function ed25519PreCheck(publicKey: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== ED25519_PUBLIC_KEY_SIZE || signature.length !== ED25519_SIGNATURE_SIZE) return false;
  if (leToBigint(signature.subarray(32)) >= L) return false;
  const yBytes = publicKey.slice();
  yBytes[31] = (yBytes[31] as number) & 0x7f;
  const y = leToBigint(yBytes);
  if (y >= P) return false;
  return !SMALL_ORDER_Y.has(y);
}

/**
 * Strict, cofactorless RFC 8032 verification with @noble primitives: encode([S]B − [k]A) must equal the R bytes
 * exactly (k = SHA-512(R ‖ A ‖ M) mod L). This is the same equation OpenSSL (node:crypto) checks, so both
 * implementations accept exactly the same set once `ed25519PreCheck` has run. Noble's own `verify` is
 * cofactored and would accept R with a small-order component, which OpenSSL rejects.
 */
export function ed25519VerifyNoble(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (!ed25519PreCheck(publicKey, signature)) return false;
  let A;
  try {
    A = ed25519.Point.fromBytes(publicKey, false);
  } catch {
    return false; // y not on the curve
  }
  const R = signature.subarray(0, 32);
  const s = leToBigint(signature.subarray(32));
  const k = leToBigint(sha512(concat3(R, publicKey, message))) % L;
  const check = ed25519.Point.BASE.multiplyUnsafe(s).subtract(A.multiplyUnsafe(k));
  return equalBytes(check.toBytes(), R);
}

function concat3(a: Uint8Array, b: Uint8Array, c: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length + c.length);
  out.set(a);
  out.set(b, a.length);
  out.set(c, a.length + b.length);
  return out;
}
