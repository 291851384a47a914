/**
 * Threshold BLS over Shamir shares: member i (0-based) holds f(i+1) of a degree T−1 polynomial f with f(0) the
 * master secret nobody knows; any T partial signatures combine (Lagrange at 0) into the master signature.
 */
import { AddressKind, addressFromPublicKey, blake2b256, utf8, type Address, type Rng } from '../protocol';
import {
  BLS_PUBLIC_KEY_SIZE,
  BLS_SECRET_KEY_SIZE,
  BLS_SIGNATURE_SIZE,
  Fr,
  G1_BASE,
  G2_BASE,
  blsSign,
  decodeG1,
  decodeG2,
  decodeSecretScalar,
  encodeG1,
  encodeG2,
  encodeScalar,
  hashToG1,
  pairingCheck,
  prepareG2,
  randomScalar,
  type G1Point,
  type G2Point,
  type PreparedG2,
} from './bls';
import { CryptoError } from './errors';
import { evalPoly, lagrangeAtZero, memberX } from './poly';

/** Bound on committee size: every loop over members and every decoded key list is limited by it. */
export const COMMITTEE_SIZE_MAX = 256;

/** Public view of a committee's keys: what every member (and the registry) knows. */
export interface CommitteeKeys {
  n: number;
  t: number;
  /** 0-based index of this member. */
  index: number;
  /** 96 bytes: the chain address is derived from it. */
  masterPublicKey: Uint8Array;
  /** n × 96 bytes: publicShares[i] = f(i+1)·g2. */
  publicShares: Uint8Array[];
}

/** This member's keys, including its private share f(index+1). Never log it. */
export interface KeyShare extends CommitteeKeys {
  /** 32 bytes big-endian scalar. */
  privateShare: Uint8Array;
}

export interface PartialSignature {
  /** 0-based index of the signer. */
  index: number;
  /** 48 bytes. */
  signature: Uint8Array;
}

// ---- validation ----

export function assertThresholdParams(n: number, t: number): void {
  if (!Number.isInteger(n) || n < 1 || n > COMMITTEE_SIZE_MAX)
    throw new CryptoError('bad-params', `N must be an integer in [1, ${COMMITTEE_SIZE_MAX}], got ${n}`);
  if (!Number.isInteger(t) || t < 1 || t > n) throw new CryptoError('bad-params', `T must be an integer in [1, N=${n}], got ${t}`);
}

export function assertMemberIndex(n: number, index: number, what = 'member index'): void {
  if (!Number.isInteger(index) || index < 0 || index >= n)
    throw new CryptoError('bad-index', `${what} must be an integer in [0, ${n}), got ${index}`);
}

/** Shape checks only (cheap): sizes, counts, index range. Points are decoded strictly when first used. */
export function assertCommitteeKeysShape(keys: CommitteeKeys): void {
  assertThresholdParams(keys.n, keys.t);
  assertMemberIndex(keys.n, keys.index);
  if (!(keys.masterPublicKey instanceof Uint8Array) || keys.masterPublicKey.length !== BLS_PUBLIC_KEY_SIZE)
    throw new CryptoError('bad-length', `master public key must be ${BLS_PUBLIC_KEY_SIZE} bytes`);
  if (!Array.isArray(keys.publicShares) || keys.publicShares.length !== keys.n)
    throw new CryptoError('bad-params', `expected ${keys.n} public shares, got ${keys.publicShares?.length}`);
  for (const s of keys.publicShares)
    if (!(s instanceof Uint8Array) || s.length !== BLS_PUBLIC_KEY_SIZE)
      throw new CryptoError('bad-length', `public share must be ${BLS_PUBLIC_KEY_SIZE} bytes`);
}

// ---- prepared (decoded, pairing-ready) public shares, cached per keys object ----

interface Prepared {
  readonly masterPoint: G2Point;
  readonly sharePoints: (G2Point | undefined)[];
  readonly shareMiller: (PreparedG2 | undefined)[];
}
const preparedCache = new WeakMap<CommitteeKeys, Prepared>();

function prepared(keys: CommitteeKeys): Prepared {
  let p = preparedCache.get(keys);
  if (p === undefined) {
    assertCommitteeKeysShape(keys);
    p = { masterPoint: decodeG2(keys.masterPublicKey), sharePoints: new Array(keys.n), shareMiller: new Array(keys.n) };
    preparedCache.set(keys, p);
  }
  return p;
}

function sharePoint(keys: CommitteeKeys, i: number): G2Point {
  const p = prepared(keys);
  return (p.sharePoints[i] ??= decodeG2(keys.publicShares[i] as Uint8Array));
}

function shareMiller(keys: CommitteeKeys, i: number): PreparedG2 {
  const p = prepared(keys);
  return (p.shareMiller[i] ??= prepareG2(sharePoint(keys, i)));
}

/**
 * Decodes and prepares every public share now (≈ one G2 decode + line precompute each), so later partial
 * verifications skip that work. Optional: verifyPartial prepares lazily. Keys objects are treated as immutable.
 */
export function prepareCommitteeKeys(keys: CommitteeKeys): void {
  for (let i = 0; i < keys.n; i++) shareMiller(keys, i);
}

// ---- signing ----

export function partialSign(share: KeyShare, message: Uint8Array): Uint8Array {
  return blsSign(share.privateShare, message);
}

/**
 * Is `partial` member `signerIndex`'s signature on `message`? False for any malformed or wrong partial.
 * Throws CryptoError('bad-index') for a signer index outside [0, N) — the caller must know its committee.
 */
export function verifyPartial(keys: CommitteeKeys, signerIndex: number, message: Uint8Array, partial: Uint8Array): boolean {
  assertMemberIndex(keys.n, signerIndex, 'signer index');
  let sig: G1Point;
  try {
    sig = decodeG1(partial);
  } catch {
    return false;
  }
  return pairingCheck(hashToG1(message), shareMiller(keys, signerIndex), sig);
}

/**
 * Lagrange-combines exactly T partials (the first T given) into the master signature.
 * Every listed index must be valid and distinct, and at least T must be given. The partials are NOT verified
 * here (that is verifyPartial / verifyPartialsBatch): combining unverified partials gives an invalid signature,
 * never a wrong valid one.
 */
export function combinePartials(keys: CommitteeKeys, partials: readonly PartialSignature[]): Uint8Array {
  assertThresholdParams(keys.n, keys.t);
  if (partials.length > keys.n) throw new CryptoError('bad-params', `more partials (${partials.length}) than members (${keys.n})`);
  const seen = new Set<number>();
  for (const p of partials) {
    assertMemberIndex(keys.n, p.index, 'partial signer index');
    if (seen.has(p.index)) throw new CryptoError('duplicate-index', `partial from member ${p.index} given twice`);
    seen.add(p.index);
  }
  if (partials.length < keys.t) throw new CryptoError('too-few-partials', `need T=${keys.t} partials, got ${partials.length}`);
  const used = partials.slice(0, keys.t);
  const points = used.map((p) => decodeG1(p.signature));
  const lambdas = lagrangeAtZero(used.map((p) => memberX(p.index)));
  // Partials and Lagrange coefficients are public: variable-time multiplication is safe.
  let acc = points[0]!.multiplyUnsafe(lambdas[0]!);
  for (let k = 1; k < used.length; k++) acc = acc.add(points[k]!.multiplyUnsafe(lambdas[k]!));
  return encodeG1(acc);
}

export interface PartialCheck {
  index: number;
  valid: boolean;
}

/** Bound on the batch size: one batch costs two pairings plus one MSM per group, whatever T is. */
export const PARTIAL_BATCH_MAX = COMMITTEE_SIZE_MAX;

/**
 * Verifies many partials on one message at once by a random linear combination:
 * e(H, Σ rᵢ·PKᵢ) == e(Σ rᵢ·σᵢ, g2) with 128-bit random rᵢ from `rng`. If the batch fails, each partial is
 * checked alone, so one bad partial never hides the good ones. Results are in input order.
 */
export function verifyPartialsBatch(
  keys: CommitteeKeys,
  message: Uint8Array,
  partials: readonly PartialSignature[],
  rng: Rng,
): PartialCheck[] {
  if (partials.length > PARTIAL_BATCH_MAX) throw new CryptoError('bad-params', `batch of ${partials.length} > ${PARTIAL_BATCH_MAX}`);
  const results: PartialCheck[] = partials.map((p) => ({ index: p.index, valid: false }));
  const decoded: { k: number; sig: G1Point; pk: G2Point }[] = [];
  partials.forEach((p, k) => {
    assertMemberIndex(keys.n, p.index, 'partial signer index');
    try {
      decoded.push({ k, sig: decodeG1(p.signature), pk: sharePoint(keys, p.index) });
    } catch {
      // malformed: stays invalid
    }
  });
  if (decoded.length === 0) return results;
  const hashed = hashToG1(message);
  if (decoded.length > 1) {
    let sigSum: G1Point | undefined;
    let pkSum: G2Point | undefined;
    for (const d of decoded) {
      const r = randomScalar128(rng);
      const s = d.sig.multiplyUnsafe(r); // public inputs: variable time is fine
      const q = d.pk.multiplyUnsafe(r);
      sigSum = sigSum === undefined ? s : sigSum.add(s);
      pkSum = pkSum === undefined ? q : pkSum.add(q);
    }
    if (!sigSum!.is0() && !pkSum!.is0() && pairingCheck(hashed, prepareG2(pkSum!), sigSum!)) {
      for (const d of decoded) (results[d.k] as PartialCheck).valid = true;
      return results;
    }
  }
  for (const d of decoded) (results[d.k] as PartialCheck).valid = pairingCheck(hashed, shareMiller(keys, partials[d.k]!.index), d.sig);
  return results;
}

/** Non-zero 128-bit scalar: enough for batch soundness (a forger must guess it: 2^-128). */
function randomScalar128(rng: Rng): bigint {
  let v = 0n;
  for (const b of rng.bytes(16)) v = (v << 8n) | BigInt(b);
  return v === 0n ? 1n : v;
}

// ---- outputs of a master signature ----

const RANDOMNESS_TAG = utf8('ISCP-BLS-randomness-v1');

/** The spec's deterministic randomness: blake2b-256(tag ‖ master signature). Unpredictable without T shares. */
export function randomnessFromSignature(signature: Uint8Array): Uint8Array {
  if (!(signature instanceof Uint8Array) || signature.length !== BLS_SIGNATURE_SIZE)
    throw new CryptoError('bad-length', `signature must be ${BLS_SIGNATURE_SIZE} bytes`);
  return blake2b256(RANDOMNESS_TAG, signature);
}

/** The chain address controlled by the committee: a BLS address of the master public key. */
export function blsAddress(masterPublicKey: Uint8Array): Address {
  if (!(masterPublicKey instanceof Uint8Array) || masterPublicKey.length !== BLS_PUBLIC_KEY_SIZE)
    throw new CryptoError('bad-length', `master public key must be ${BLS_PUBLIC_KEY_SIZE} bytes`);
  return addressFromPublicKey(AddressKind.BLS, masterPublicKey);
}

// ---- consistency of a key set ----

/**
 * Full check of a key share (e.g. after loading it from the registry): the private share matches its public
 * share, and all N public shares lie on one polynomial of degree < T whose value at 0 is the master key.
 * Costs about (N−T+1)·T G2 multiplications.
 */
export function assertKeyShareConsistent(share: KeyShare): void {
  assertCommitteeKeysShape(share);
  const sk = decodeSecretScalar(share.privateShare);
  if (!G2_BASE.multiply(sk).equals(sharePoint(share, share.index)))
    throw new CryptoError('inconsistent-keys', 'private share does not match its public share');
  const base = Array.from({ length: share.t }, (_, i) => i);
  const xs = base.map(memberX);
  const pts = base.map((i) => sharePoint(share, i));
  const interpolate = (x: bigint): G2Point => {
    const ls = lagrangeAt(xs, x);
    let acc = pts[0]!.multiplyUnsafe(ls[0]!);
    for (let k = 1; k < pts.length; k++) acc = acc.add(pts[k]!.multiplyUnsafe(ls[k]!));
    return acc;
  };
  if (!interpolate(0n).equals(prepared(share).masterPoint))
    throw new CryptoError('inconsistent-keys', 'public shares do not interpolate to the master public key');
  for (let i = share.t; i < share.n; i++)
    if (!interpolate(memberX(i)).equals(sharePoint(share, i)))
      throw new CryptoError('inconsistent-keys', `public share ${i} is not on the degree-${share.t - 1} polynomial`);
}

function lagrangeAt(xs: bigint[], x: bigint): bigint[] {
  return xs.map((xi, i) => {
    let num = 1n;
    let den = 1n;
    xs.forEach((xj, j) => {
      if (j === i) return;
      num = Fr.mul(num, Fr.sub(x, xj));
      den = Fr.mul(den, Fr.sub(xi, xj));
    });
    return Fr.div(num, den);
  });
}

// ---- test/simulator helper ----

/**
 * A trusted dealer knows the master secret: FOR TESTS AND SIMULATOR QUICK STARTS ONLY. Real committees run the DKG
 * (src/crypto/dkg), where no one ever learns it.
 */
export function trustedDealerKeygenForTestsOnly(n: number, t: number, rng: Rng): KeyShare[] {
  assertThresholdParams(n, t);
  const coeffs = Array.from({ length: t }, () => randomScalar(rng));
  const masterPublicKey = encodeG2(G2_BASE.multiply(coeffs[0]!));
  const priv = Array.from({ length: n }, (_, i) => {
    let s = evalPoly(coeffs, memberX(i));
    // A zero share would be an unusable key; the chance is ~N/2^255, so re-deal rather than special-case it.
    if (s === 0n) throw new CryptoError('zero-scalar', 'dealt a zero share: re-run with another rng state');
    return s;
  });
  const publicShares = priv.map((s) => encodeG2(G2_BASE.multiply(s)));
  return priv.map((s, index) => ({ n, t, index, masterPublicKey, publicShares, privateShare: encodeScalar(s) }));
}
/** Alias kept for the brief's name; identical behaviour. */
export const trustedDealerKeygen = trustedDealerKeygenForTestsOnly;

// Re-exported so callers of the threshold layer need one import.
export { BLS_PUBLIC_KEY_SIZE, BLS_SECRET_KEY_SIZE, BLS_SIGNATURE_SIZE, G1_BASE };
