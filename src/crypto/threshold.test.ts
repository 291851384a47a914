import { describe, expect, it } from 'vitest';
import { AddressKind, SeededRng, utf8 } from '../protocol';
import { blsVerify, encodeScalar } from './bls';
import { CryptoError } from './errors';
import {
  assertKeyShareConsistent,
  blsAddress,
  combinePartials,
  partialSign,
  randomnessFromSignature,
  trustedDealerKeygen,
  verifyPartial,
  verifyPartialsBatch,
  type KeyShare,
} from './threshold';
import { g1Identity, g1OffSubgroup } from './testing/points';

const shares = trustedDealerKeygen(4, 3, new SeededRng(1));
const keys = shares[0] as KeyShare;
const msg = utf8('essence of the anchor transaction');
const partials = shares.map((s) => ({ index: s.index, signature: partialSign(s, msg) }));

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof CryptoError) return e.code;
    throw e;
  }
  return 'no error';
}

describe('threshold BLS (N=4, T=3)', () => {
  it('every member agrees on the master key and its shares are consistent', () => {
    for (const s of shares) expect(s.masterPublicKey).toEqual(keys.masterPublicKey);
    assertKeyShareConsistent(shares[2] as KeyShare);
  });

  it('each partial verifies for its signer only', () => {
    expect(verifyPartial(keys, 1, msg, partials[1]!.signature)).toBe(true);
    expect(verifyPartial(keys, 2, msg, partials[1]!.signature)).toBe(false);
    expect(verifyPartial(keys, 1, utf8('other'), partials[1]!.signature)).toBe(false);
    expect(verifyPartial(keys, 1, msg, g1Identity())).toBe(false);
    expect(verifyPartial(keys, 1, msg, g1OffSubgroup())).toBe(false);
    expect(verifyPartial(keys, 1, msg, new Uint8Array(47))).toBe(false);
  });

  it('any T partials combine to the same master signature, valid under the master key', () => {
    const a = combinePartials(keys, [partials[0]!, partials[1]!, partials[2]!]);
    const b = combinePartials(keys, [partials[3]!, partials[1]!, partials[0]!]);
    expect(b).toEqual(a);
    expect(blsVerify(keys.masterPublicKey, msg, a)).toBe(true);
  });

  it('more than T partials: exactly the first T are used', () => {
    const bad = { index: 3, signature: partials[0]!.signature };
    const sig = combinePartials(keys, [partials[0]!, partials[1]!, partials[2]!, bad]);
    expect(blsVerify(keys.masterPublicKey, msg, sig)).toBe(true);
  });

  it('a wrong partial gives an invalid signature, never a valid one', () => {
    const wrong = { index: 2, signature: partials[3]!.signature };
    const sig = combinePartials(keys, [partials[0]!, partials[1]!, wrong]);
    expect(blsVerify(keys.masterPublicKey, msg, sig)).toBe(false);
  });

  it('rejects duplicates, too few, out-of-range, fractional and malformed partials', () => {
    expect(codeOf(() => combinePartials(keys, [partials[0]!, partials[0]!, partials[1]!]))).toBe('duplicate-index');
    expect(codeOf(() => combinePartials(keys, [partials[0]!, partials[1]!]))).toBe('too-few-partials');
    expect(codeOf(() => combinePartials(keys, [partials[0]!, partials[1]!, { index: 4, signature: partials[2]!.signature }]))).toBe('bad-index');
    expect(codeOf(() => combinePartials(keys, [partials[0]!, partials[1]!, { index: -1, signature: partials[2]!.signature }]))).toBe('bad-index');
    expect(codeOf(() => combinePartials(keys, [partials[0]!, partials[1]!, { index: 1.5, signature: partials[2]!.signature }]))).toBe('bad-index');
    expect(codeOf(() => combinePartials(keys, [partials[0]!, partials[1]!, { index: 2, signature: g1Identity() }]))).toBe('identity');
    expect(codeOf(() => verifyPartial(keys, 4, msg, partials[0]!.signature))).toBe('bad-index');
  });

  it('batch verification accepts all-valid partials and pinpoints the bad ones', () => {
    const rng = new SeededRng(7);
    expect(verifyPartialsBatch(keys, msg, partials.slice(0, 3), rng).every((r) => r.valid)).toBe(true);
    const mixed = [partials[0]!, { index: 1, signature: partials[2]!.signature }, partials[3]!, { index: 2, signature: new Uint8Array(48) }];
    expect(verifyPartialsBatch(keys, msg, mixed, rng).map((r) => r.valid)).toEqual([true, false, true, false]);
  });

  it('randomness is deterministic per master signature and the address is a BLS address', () => {
    const sig = combinePartials(keys, partials.slice(0, 3));
    expect(randomnessFromSignature(sig)).toEqual(randomnessFromSignature(combinePartials(keys, partials.slice(1))));
    expect(randomnessFromSignature(sig).length).toBe(32);
    expect(codeOf(() => randomnessFromSignature(sig.subarray(1)))).toBe('bad-length');
    expect(blsAddress(keys.masterPublicKey).kind).toBe(AddressKind.BLS);
  });

  it('detects a tampered key share', () => {
    const s = shares[1] as KeyShare;
    expect(codeOf(() => assertKeyShareConsistent({ ...s, privateShare: encodeScalar(5n) }))).toBe('inconsistent-keys');
    const swapped = [...s.publicShares];
    [swapped[2], swapped[3]] = [swapped[3]!, swapped[2]!];
    expect(codeOf(() => assertKeyShareConsistent({ ...s, publicShares: swapped }))).toBe('inconsistent-keys');
  });

  it('rejects bad committee parameters', () => {
    expect(codeOf(() => trustedDealerKeygen(3, 4, new SeededRng(1)))).toBe('bad-params');
    expect(codeOf(() => trustedDealerKeygen(0, 0, new SeededRng(1)))).toBe('bad-params');
  });
});
