/** Hand-made bad encodings for tests: points on the curve outside the subgroup, x with no curve point, etc. */
import { bls12_381 } from '@noble/curves/bls12-381.js';

const Fp = bls12_381.fields.Fp;
const Fp2 = bls12_381.fields.Fp2;
const P = Fp.ORDER;

function be48(v: bigint): Uint8Array {
  const out = new Uint8Array(48);
  for (let i = 47; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** A compressed G1 encoding of a point on y² = x³ + 4 that is not in the prime-order subgroup. */
export function g1OffSubgroup(): Uint8Array {
  for (let x = 1n; x < 1000n; x++) {
    const rhs = Fp.add(Fp.pow(x, 3n), 4n);
    let y: bigint | undefined;
    try {
      y = Fp.sqrt(rhs);
    } catch {
      y = undefined;
    }
    if (y === undefined) continue;
    const pt = bls12_381.G1.Point.fromAffine({ x, y });
    if (pt.isTorsionFree()) continue;
    const b = be48(x);
    b[0]! |= 0x80;
    return b;
  }
  throw new Error('no off-subgroup x found');
}

/** A compressed G1 encoding whose x has no point on the curve. */
export function g1OffCurve(): Uint8Array {
  for (let x = 1n; x < 1000n; x++) {
    const rhs = Fp.add(Fp.pow(x, 3n), 4n);
    let ok = true;
    try {
      Fp.sqrt(rhs);
    } catch {
      ok = false;
    }
    if (ok) continue;
    const b = be48(x);
    b[0]! |= 0x80;
    return b;
  }
  throw new Error('no off-curve x found');
}

/** x = p (not a canonical field element) with the compression flag. */
export function g1NonCanonicalX(): Uint8Array {
  const b = be48(P);
  b[0]! |= 0x80;
  return b;
}

export function g1Identity(): Uint8Array {
  const b = new Uint8Array(48);
  b[0] = 0xc0;
  return b;
}
export function g2Identity(): Uint8Array {
  const b = new Uint8Array(96);
  b[0] = 0xc0;
  return b;
}

/** A compressed G2 encoding of a twist point outside the subgroup (x = k + 0·u). */
export function g2OffSubgroup(): Uint8Array {
  const b2 = bls12_381.G2.Point.CURVE().b;
  for (let k = 1n; k < 1000n; k++) {
    const x = Fp2.fromBigTuple([k, 0n]);
    const rhs = Fp2.add(Fp2.pow(x, 3n), b2);
    let y;
    try {
      y = Fp2.sqrt(rhs);
    } catch {
      continue;
    }
    if (!y) continue;
    const pt = bls12_381.G2.Point.fromAffine({ x, y });
    if (pt.isTorsionFree()) continue;
    const out = new Uint8Array(96);
    out.set(be48(0n), 0); // c1 first
    out.set(be48(k), 48); // then c0
    out[0]! |= 0x80;
    return out;
  }
  throw new Error('no off-subgroup G2 x found');
}
