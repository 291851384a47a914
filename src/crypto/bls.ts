/**
 * BLS12-381 signatures, minimal-signature-size variant: signatures in G1 (48 bytes), public keys in G2 (96 bytes).
 * Basic scheme sign/verify with the proof-of-possession suite's hash-to-G1 tag (see
 * docs/decisions/crypto-bls-ciphersuite.md: the tag mcl-wasm uses, so signatures interoperate byte for byte).
 *
 * Every decoder here is strict: wrong lengths, non-canonical scalars, points off the curve or outside the
 * subgroup, and the identity are rejected with a CryptoError (the @noble defaults reduce scalars mod r and
 * accept the identity).
 */
import { bls12_381 } from '@noble/curves/bls12-381.js';
import type { WeierstrassPoint } from '@noble/curves/abstract/weierstrass.js';
import { CryptoError } from './errors';

export const BLS_DST = 'BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_POP_';
export const BLS_SIGNATURE_SIZE = 48;
export const BLS_PUBLIC_KEY_SIZE = 96;
export const BLS_SECRET_KEY_SIZE = 32;

export type G1Point = WeierstrassPoint<bigint>;
export type G2Point = WeierstrassPoint<ReturnType<typeof bls12_381.fields.Fp2.create>>;
/** A G2 point with its Miller-loop line coefficients computed once (the costly half of a pairing input). */
export type PreparedG2 = ReturnType<typeof bls12_381.utils.calcPairingPrecomputes>;

export const Fr = bls12_381.fields.Fr;
export const CURVE_ORDER: bigint = Fr.ORDER;
const G1 = bls12_381.G1.Point;
const G2 = bls12_381.G2.Point;
const Fp12 = bls12_381.fields.Fp12;

// ---- scalars ----

/** 32 bytes big-endian, canonical (< r) and non-zero: a secret key or key share. */
export function decodeSecretScalar(bytes: Uint8Array): bigint {
  const s = decodeScalar(bytes);
  if (s === 0n) throw new CryptoError('zero-scalar', 'secret scalar is zero');
  return s;
}

/** 32 bytes big-endian, canonical (< r); zero allowed (a polynomial coefficient may be zero only by chance). */
export function decodeScalar(bytes: Uint8Array): bigint {
  if (!(bytes instanceof Uint8Array) || bytes.length !== BLS_SECRET_KEY_SIZE)
    throw new CryptoError('bad-length', `scalar must be ${BLS_SECRET_KEY_SIZE} bytes, got ${lengthOf(bytes)}`);
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  if (v >= CURVE_ORDER) throw new CryptoError('bad-scalar', 'scalar is not below the group order r');
  return v;
}

export function encodeScalar(s: bigint): Uint8Array {
  if (s < 0n || s >= CURVE_ORDER) throw new CryptoError('bad-scalar', 'scalar out of range');
  const out = new Uint8Array(BLS_SECRET_KEY_SIZE);
  let v = s;
  for (let i = out.length - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** Uniform non-zero scalar from the injected Rng (64 bytes reduced mod r: bias below 2^-250). */
export function randomScalar(rng: { bytes(n: number): Uint8Array }): bigint {
  // Bound: a zero result has probability ~2^-255; the loop exists only to be exact about it.
  for (let attempt = 0; attempt < 8; attempt++) {
    let v = 0n;
    for (const b of rng.bytes(64)) v = (v << 8n) | BigInt(b);
    const s = v % CURVE_ORDER;
    if (s !== 0n) return s;
  }
  throw new CryptoError('zero-scalar', 'rng produced zero scalars repeatedly: broken rng');
}

// ---- points ----

/** A compressed G1 point (signature), strictly: on curve, in subgroup, not the identity. */
export function decodeG1(bytes: Uint8Array): G1Point {
  if (!(bytes instanceof Uint8Array) || bytes.length !== BLS_SIGNATURE_SIZE)
    throw new CryptoError('bad-length', `G1 point must be ${BLS_SIGNATURE_SIZE} bytes, got ${lengthOf(bytes)}`);
  const p = decodePoint(() => G1.fromBytes(bytes), 'G1');
  return p;
}

/** A compressed G2 point (public key), strictly: on curve, in subgroup, not the identity. */
export function decodeG2(bytes: Uint8Array): G2Point {
  if (!(bytes instanceof Uint8Array) || bytes.length !== BLS_PUBLIC_KEY_SIZE)
    throw new CryptoError('bad-length', `G2 point must be ${BLS_PUBLIC_KEY_SIZE} bytes, got ${lengthOf(bytes)}`);
  return decodePoint(() => G2.fromBytes(bytes), 'G2');
}

function decodePoint<P extends { is0(): boolean }>(decode: () => P, what: string): P {
  let p: P;
  try {
    p = decode(); // @noble's fromBytes checks the field range, the equation and subgroup membership
  } catch (e) {
    const msg = (e as Error).message;
    if (msg.includes('subgroup')) throw new CryptoError('not-in-subgroup', `${what} point is not in the prime-order subgroup`);
    throw new CryptoError('bad-point', `${what} point: ${msg}`);
  }
  if (p.is0()) throw new CryptoError('identity', `${what} point is the identity`);
  return p;
}

export const encodeG1 = (p: G1Point): Uint8Array => p.toBytes(true);
export const encodeG2 = (p: G2Point): Uint8Array => p.toBytes(true);
export const G1_BASE: G1Point = G1.BASE;
export const G2_BASE: G2Point = G2.BASE;
export const G1_ZERO: G1Point = G1.ZERO;
export const G2_ZERO: G2Point = G2.ZERO;

export function hashToG1(message: Uint8Array): G1Point {
  return bls12_381.G1.hashToCurve(message, { DST: BLS_DST }) as G1Point;
}

export function prepareG2(p: G2Point): PreparedG2 {
  return bls12_381.utils.calcPairingPrecomputes(p);
}

// -e(·, G2 generator) is used by every verification: prepare it once.
let preparedNegG2Base: PreparedG2 | undefined;
function negG2Base(): PreparedG2 {
  preparedNegG2Base ??= prepareG2(G2.BASE.negate());
  return preparedNegG2Base;
}

/**
 * e(H, pk) == e(sig, g2), checked as e(H, pk) · e(sig, -g2) == 1 with one shared final exponentiation.
 * `preparedPk` is the prepared public key; both G1 inputs must already be validated.
 */
export function pairingCheck(hashed: G1Point, preparedPk: PreparedG2, signature: G1Point): boolean {
  const h = hashed.toAffine();
  const s = signature.toAffine();
  const f = bls12_381.millerLoopBatch([
    [preparedPk, h.x, h.y],
    [negG2Base(), s.x, s.y],
  ]);
  return Fp12.eql(Fp12.finalExponentiate(f), Fp12.ONE);
}

// ---- the signature scheme ----

export function blsPublicKey(secretKey: Uint8Array): Uint8Array {
  return encodeG2(G2.BASE.multiply(decodeSecretScalar(secretKey)));
}

export function blsSign(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  const sk = decodeSecretScalar(secretKey);
  return encodeG1(hashToG1(message).multiply(sk));
}

/** Never throws: malformed keys or signatures (any length, any bytes) are simply not valid. */
export function blsVerify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    const pk = decodeG2(publicKey);
    const sig = decodeG1(signature);
    return pairingCheck(hashToG1(message), prepareG2(pk), sig);
  } catch {
    return false;
  }
}

function lengthOf(b: unknown): string {
  return b instanceof Uint8Array ? String(b.length) : typeof b;
}
