import { blake2b256, compareBytes, Writer } from '../protocol';

/**
 * Spec step 1 / Wasp: the committee indices 0..N-1 sorted by blake2b-256(seed ‖ u16 LE(i)), seed = the current
 * anchor transaction ID. Every member computes the same order; position 0 is the first leader, and each
 * timeout moves leadership one position along it.
 */
export function leaderPermutation(seed: Uint8Array, n: number): number[] {
  if (!Number.isInteger(n) || n < 1 || n > 0xffff) throw new RangeError(`committee size ${n} out of range`);
  const keyed = Array.from({ length: n }, (_, i) => ({ i, h: blake2b256(seed, new Writer().u16(i).finish()) }));
  keyed.sort((a, b) => compareBytes(a.h, b.h) || a.i - b.i);
  return keyed.map((k) => k.i);
}

/** The leader at rotation `position` (wraps around the permutation). */
export function leaderAt(permutation: readonly number[], position: number): number {
  return permutation[position % permutation.length] as number;
}
