import { describe, expect, it } from 'vitest';
import { utf8 } from '../protocol';
import {
  BLS_DST,
  CURVE_ORDER,
  blsPublicKey,
  blsSign,
  blsVerify,
  decodeG1,
  decodeG2,
  decodeSecretScalar,
  encodeScalar,
} from './bls';
import { CryptoError } from './errors';
import { g1Identity, g1NonCanonicalX, g1OffCurve, g1OffSubgroup, g2Identity, g2OffSubgroup } from './testing/points';

const sk = encodeScalar(123456789n);
const msg = utf8('anchor transaction essence');

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof CryptoError) return e.code;
    throw e;
  }
  return 'no error';
}

describe('bls sign/verify', () => {
  it('uses the POP suite tag for hash-to-G1', () => {
    expect(BLS_DST).toBe('BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_POP_');
  });

  it('signs 48-byte signatures that verify under the 96-byte public key', () => {
    const pk = blsPublicKey(sk);
    const sig = blsSign(sk, msg);
    expect(pk.length).toBe(96);
    expect(sig.length).toBe(48);
    expect(blsVerify(pk, msg, sig)).toBe(true);
  });

  it('rejects a wrong message, wrong key and flipped bits', () => {
    const pk = blsPublicKey(sk);
    const sig = blsSign(sk, msg);
    expect(blsVerify(pk, utf8('other'), sig)).toBe(false);
    expect(blsVerify(blsPublicKey(encodeScalar(42n)), msg, sig)).toBe(false);
    const bad = sig.slice();
    bad[47]! ^= 1;
    expect(blsVerify(pk, msg, bad)).toBe(false);
  });

  it('blsVerify never throws on malformed input', () => {
    const pk = blsPublicKey(sk);
    const sig = blsSign(sk, msg);
    expect(blsVerify(pk.subarray(0, 95), msg, sig)).toBe(false);
    expect(blsVerify(pk, msg, sig.subarray(1))).toBe(false);
    expect(blsVerify(new Uint8Array(96), msg, sig)).toBe(false);
    expect(blsVerify(g2Identity(), msg, g1Identity())).toBe(false);
    expect(blsVerify(pk, msg, g1OffSubgroup())).toBe(false);
    expect(blsVerify(g2OffSubgroup(), msg, sig)).toBe(false);
    expect(blsVerify(undefined as unknown as Uint8Array, msg, sig)).toBe(false);
  });
});

describe('strict decoding', () => {
  it('rejects non-canonical, zero and wrong-length scalars', () => {
    expect(codeOf(() => decodeSecretScalar(encodeScalar(CURVE_ORDER - 1n)))).toBe('no error');
    const r = new Uint8Array(32);
    let v = CURVE_ORDER;
    for (let i = 31; i >= 0; i--) {
      r[i] = Number(v & 0xffn);
      v >>= 8n;
    }
    expect(codeOf(() => decodeSecretScalar(r))).toBe('bad-scalar');
    expect(codeOf(() => decodeSecretScalar(new Uint8Array(32).fill(0xff)))).toBe('bad-scalar');
    expect(codeOf(() => decodeSecretScalar(new Uint8Array(32)))).toBe('zero-scalar');
    expect(codeOf(() => decodeSecretScalar(new Uint8Array(31)))).toBe('bad-length');
    expect(codeOf(() => blsSign(r, msg))).toBe('bad-scalar');
    expect(codeOf(() => blsPublicKey(new Uint8Array(32)))).toBe('zero-scalar');
  });

  it('rejects G1 points off the curve, outside the subgroup, the identity, non-canonical x and wrong lengths', () => {
    expect(codeOf(() => decodeG1(g1OffCurve()))).toBe('bad-point');
    expect(codeOf(() => decodeG1(g1OffSubgroup()))).toBe('not-in-subgroup');
    expect(codeOf(() => decodeG1(g1Identity()))).toBe('identity');
    expect(codeOf(() => decodeG1(g1NonCanonicalX()))).toBe('bad-point');
    expect(codeOf(() => decodeG1(new Uint8Array(96)))).toBe('bad-length');
    const uncompressedFlag = blsSign(sk, msg);
    uncompressedFlag[0]! &= 0x7f; // clear the compression bit: 48 bytes can only be compressed
    expect(codeOf(() => decodeG1(uncompressedFlag))).toBe('bad-point');
  });

  it('rejects G2 points outside the subgroup, the identity and wrong lengths', () => {
    expect(codeOf(() => decodeG2(g2OffSubgroup()))).toBe('not-in-subgroup');
    expect(codeOf(() => decodeG2(g2Identity()))).toBe('identity');
    expect(codeOf(() => decodeG2(new Uint8Array(48)))).toBe('bad-length');
    expect(codeOf(() => decodeG2(new Uint8Array(96)))).toBe('bad-point');
  });
});
