/** Feldman commitments in G2: Cₖ = aₖ·g2 for the dealer's polynomial a, so shares are checkable in public. */
import { BLS_PUBLIC_KEY_SIZE, G2_BASE, decodeG2, encodeG2, type G2Point } from '../bls';
import { memberX } from '../poly';
import { blake2b256, toHex } from '../../protocol';

export function commit(coeffs: readonly bigint[]): Uint8Array {
  const out = new Uint8Array(coeffs.length * BLS_PUBLIC_KEY_SIZE);
  coeffs.forEach((c, k) => out.set(encodeG2(G2_BASE.multiply(c)), k * BLS_PUBLIC_KEY_SIZE));
  return out;
}

/**
 * Bound on the decoded-commitments cache. Decoding a G2 point costs a square root and a subgroup check
 * (≈ 10–20 ms in Node): members in one process (simulator, tests, bench) see the same dealer's bytes N times.
 * The cache maps exact bytes to the decoded points, so sharing it never changes a result.
 */
export const COMMITMENTS_CACHE_MAX = 512;
const cache = new Map<string, G2Point[] | null>();

/** Decodes exactly t commitments strictly (on curve, in subgroup, not identity); undefined if anything is off. */
export function decodeCommitments(bytes: Uint8Array, t: number): G2Point[] | undefined {
  if (bytes.length !== t * BLS_PUBLIC_KEY_SIZE) return undefined;
  const key = toHex(blake2b256(bytes));
  const hit = cache.get(key);
  if (hit !== undefined) return hit ?? undefined;
  let points: G2Point[] | null;
  try {
    points = Array.from({ length: t }, (_, k) => decodeG2(bytes.subarray(k * BLS_PUBLIC_KEY_SIZE, (k + 1) * BLS_PUBLIC_KEY_SIZE)));
  } catch {
    points = null;
  }
  if (cache.size >= COMMITMENTS_CACHE_MAX) cache.delete(cache.keys().next().value as string);
  cache.set(key, points);
  return points ?? undefined;
}

/** Σ Cₖ·xᵏ: the public image of the share for member `index`. */
export function evalCommitments(commitments: readonly G2Point[], index: number): G2Point {
  const x = memberX(index);
  let acc = commitments[commitments.length - 1] as G2Point;
  // Public points and a small public x: the variable-time multiply is safe here and ~15× faster.
  for (let k = commitments.length - 2; k >= 0; k--) acc = acc.multiplyUnsafe(x).add(commitments[k] as G2Point);
  return acc;
}

export function shareMatches(commitments: readonly G2Point[], index: number, share: bigint): boolean {
  return G2_BASE.multiply(share).equals(evalCommitments(commitments, index));
}
