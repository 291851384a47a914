import { describe, expect, it } from 'vitest';
import { DecodeError, SeededRng } from '../protocol';
import { CryptoError } from './errors';
import { decodeKeyShare, encodeKeyShare } from './keyshare';
import { assertKeyShareConsistent, trustedDealerKeygen } from './threshold';

const share = trustedDealerKeygen(4, 3, new SeededRng(3))[1]!;

describe('KeyShare codec', () => {
  it('round-trips and stays consistent', () => {
    const back = decodeKeyShare(encodeKeyShare(share));
    expect(back).toEqual(share);
    assertKeyShareConsistent(back);
  });

  it('rejects truncation, trailing bytes, bad version, bad shape and a non-canonical private share', () => {
    const b = encodeKeyShare(share);
    expect(() => decodeKeyShare(b.subarray(0, b.length - 1))).toThrow(DecodeError);
    expect(() => decodeKeyShare(Uint8Array.of(...b, 0))).toThrow(DecodeError);
    expect(() => decodeKeyShare(Uint8Array.of(9, ...b.subarray(1)))).toThrow(DecodeError);
    const badIndex = b.slice();
    badIndex[5] = 4; // index = 4 with n = 4
    expect(() => decodeKeyShare(badIndex)).toThrow(DecodeError);
    const big = b.slice();
    big.fill(0xff, b.length - 32);
    expect(() => decodeKeyShare(big)).toThrow(CryptoError);
  });
});
