/** Polynomials over the BLS12-381 scalar field, as used by Shamir sharing and Feldman commitments. */
import { Fr } from './bls';
import { CryptoError } from './errors';

/** Member i (0-based) evaluates the polynomial at x = i+1: x = 0 is the secret, which nobody may hold. */
export function memberX(index: number): bigint {
  return BigInt(index + 1);
}

/** f(x) = Σ coeffs[k]·x^k (Horner). */
export function evalPoly(coeffs: readonly bigint[], x: bigint): bigint {
  let acc = 0n;
  for (let k = coeffs.length - 1; k >= 0; k--) acc = Fr.add(Fr.mul(acc, x), coeffs[k] as bigint);
  return acc;
}

/** λᵢ with f(0) = Σ λᵢ·f(xᵢ); the xᵢ must be distinct and non-zero. */
export function lagrangeAtZero(xs: readonly bigint[]): bigint[] {
  const set = new Set(xs);
  if (set.size !== xs.length || set.has(0n)) throw new CryptoError('duplicate-index', 'interpolation points must be distinct and non-zero');
  return xs.map((xi, i) => {
    let num = 1n;
    let den = 1n;
    xs.forEach((xj, j) => {
      if (j === i) return;
      num = Fr.mul(num, xj);
      den = Fr.mul(den, Fr.sub(xj, xi));
    });
    return Fr.div(num, den);
  });
}
