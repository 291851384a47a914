import { describe, expect, it } from 'vitest';
import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { SeededRng } from '../protocol/rng';
import { fromHex, utf8 } from '../protocol/bytes';
import { ed25519KeyPairFromSeed, ed25519Sign } from './ed25519';
import { createSignatureVerifier, rejectAllBls } from './verifier';

const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const Point = ed25519.Point;
const noble = createSignatureVerifier({ ed25519Impl: 'noble', bls: rejectAllBls });
const node = createSignatureVerifier({ ed25519Impl: 'node', bls: rejectAllBls });
const rng = new SeededRng(42);

const le = (b: Uint8Array) => b.reduceRight((n, x) => (n << 8n) | BigInt(x), 0n);
const toLe32 = (n: bigint) => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
const T8 = Point.fromBytes(fromHex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a'));
const cat = (...p: Uint8Array[]) => Uint8Array.from(p.flatMap((x) => [...x]));
const challenge = (R: Uint8Array, A: Uint8Array, m: Uint8Array) => le(sha512(cat(R, A, m))) % L;

/** Sign with an explicit nonce point and public key, so tests can plant small-order components. */
function craft(a: bigint, A: Uint8Array, r: bigint, Rpt: InstanceType<typeof Point>, msg: Uint8Array): Uint8Array {
  const R = Rpt.toBytes();
  const s = (r + challenge(R, A, msg) * a) % L;
  return cat(R, toLe32(s));
}
const rawNode = (pk: Uint8Array, msg: Uint8Array, sig: Uint8Array) => {
  const key = createPublicKey({ key: Buffer.from(cat(fromHex('302a300506032b6570032100'), pk)), format: 'der', type: 'spki' });
  return nodeVerify(null, msg, key, sig);
};

function agree(pk: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
  const a = noble.ed25519(pk, msg, sig);
  const b = node.ed25519(pk, msg, sig);
  expect(a, 'noble and node disagree').toBe(b);
  return a;
}

describe('ed25519 verifiers: noble and node:crypto accept exactly the same signatures', () => {
  it('honest signatures verify; any flipped bit fails', () => {
    for (let i = 0; i < 20; i++) {
      const kp = ed25519KeyPairFromSeed(rng.bytes(32));
      const msg = rng.bytes(i * 7);
      const sig = ed25519Sign(kp, msg);
      expect(agree(kp.publicKey, msg, sig)).toBe(true);
      const bad = sig.slice();
      const bi = rng.int(64);
      bad[bi] = (bad[bi] as number) ^ (1 << rng.int(8));
      expect(agree(kp.publicKey, msg, bad)).toBe(false);
      const pk = kp.publicKey.slice();
      const pi = rng.int(32);
      pk[pi] = (pk[pi] as number) ^ (1 << rng.int(8));
      expect(agree(pk, msg, sig)).toBe(false);
    }
  });

  it('malleable S + L is rejected by both (canonical S)', () => {
    const kp = ed25519KeyPairFromSeed(rng.bytes(32));
    const msg = utf8('pay 5');
    const sig = ed25519Sign(kp, msg);
    const s2 = le(sig.subarray(32)) + L;
    const mall = cat(sig.subarray(0, 32), toLe32(s2));
    expect(agree(kp.publicKey, msg, mall)).toBe(false);
  });

  it('small-order public key: raw OpenSSL would accept a forged signature for any message; our rule rejects it', () => {
    const identity = Point.ZERO.toBytes();
    const s = 12345n;
    const sig = cat(Point.BASE.multiply(s).toBytes(), toLe32(s));
    const msg = utf8('anything at all');
    expect(rawNode(identity, msg, sig)).toBe(true); // why the pre-check exists
    expect(agree(identity, msg, sig)).toBe(false);
  });

  it('non-canonical public key encodings (y ≥ p, x = 0 with sign bit) are rejected by both', () => {
    for (let y = 0n; y < 19n; y++) {
      const pk = toLe32(y + 2n ** 255n - 19n);
      expect(agree(pk, utf8('m'), new Uint8Array(64))).toBe(false);
    }
    const negZero = Point.ZERO.toBytes();
    negZero[31] = (negZero[31] as number) | 0x80;
    expect(agree(negZero, utf8('m'), new Uint8Array(64))).toBe(false);
  });

  it('nonce with a small-order component: noble verify (cofactored) accepts, both of ours reject like OpenSSL', () => {
    const kp = ed25519KeyPairFromSeed(rng.bytes(32));
    const a = ed25519.utils.getExtendedPublicKey(kp.seed).scalar;
    const r = le(rng.bytes(32)) % L;
    const msg = utf8('mixed R');
    const sig = craft(a, kp.publicKey, r, Point.BASE.multiply(r).add(T8), msg);
    expect(ed25519.verify(sig, msg, kp.publicKey)).toBe(true);
    expect(rawNode(kp.publicKey, msg, sig)).toBe(false);
    expect(agree(kp.publicKey, msg, sig)).toBe(false);
  });

  it('public key with a small-order component: both accept exactly when the cofactorless equation holds', () => {
    let accepted = 0;
    for (let i = 0; i < 24; i++) {
      const a = (le(rng.bytes(32)) % (L - 1n)) + 1n;
      const Apt = Point.BASE.multiply(a).add(T8);
      const A = Apt.toBytes();
      const r = (le(rng.bytes(32)) % (L - 1n)) + 1n;
      const msg = rng.bytes(16);
      const sig = craft(a, A, r, Point.BASE.multiply(r), msg);
      const k = challenge(sig.subarray(0, 32), A, msg);
      const ok = agree(A, msg, sig);
      expect(ok).toBe(k % 8n === 0n);
      expect(rawNode(A, msg, sig)).toBe(ok);
      if (ok) accepted++;
    }
    expect(accepted).toBeLessThan(24);
  });

  it('random bytes: both agree', () => {
    for (let i = 0; i < 200; i++) agree(rng.bytes(32), rng.bytes(10), rng.bytes(64));
    expect(agree(new Uint8Array(31), new Uint8Array(), new Uint8Array(64))).toBe(false);
    expect(agree(new Uint8Array(32), new Uint8Array(), new Uint8Array(63))).toBe(false);
  });
});
