/**
 * Interop with mcl-wasm 2.4.1 (the fast C++ library behind many BLS deployments): the same secret key gives
 * the same public key and signature bytes, and each side verifies the other's signatures (min-sig: G1 sigs).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as mcl from 'mcl-wasm';
import { SeededRng, utf8 } from '../protocol';
import { G2_BASE, blsPublicKey, blsSign, blsVerify, encodeG2, encodeScalar, hashToG1, randomScalar } from './bls';

let g2gen: mcl.G2;
beforeAll(async () => {
  await mcl.init(mcl.BLS12_381);
  mcl.setETHserialization(true); // the Zcash/IETF compressed encoding @noble uses
  mcl.setMapToMode(mcl.IRTF); // RFC 9380 hash-to-curve; its G1 tag is fixed to the POP suite's
  g2gen = new mcl.G2();
  g2gen.deserialize(encodeG2(G2_BASE));
});

function mclSecret(sk: Uint8Array): mcl.Fr {
  const s = new mcl.Fr();
  s.deserialize(sk); // ETH serialization: 32 bytes big-endian
  return s;
}
function mclVerify(pk: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
  const P = new mcl.G2();
  P.deserialize(pk);
  const S = new mcl.G1();
  S.deserialize(sig);
  return mcl.pairing(S, g2gen).isEqual(mcl.pairing(mcl.hashAndMapToG1(msg), P));
}

describe('mcl-wasm interop', () => {
  const rng = new SeededRng(99);
  const cases = [0, 1, 2].map((i) => ({ sk: encodeScalar(randomScalar(rng)), msg: utf8(`message ${i}`.repeat(i + 1)) }));
  cases.push({ sk: encodeScalar(1n), msg: new Uint8Array(0) });

  it('hash-to-G1 matches mcl byte for byte', () => {
    for (const c of cases) expect(mcl.hashAndMapToG1(c.msg).serialize()).toEqual(hashToG1(c.msg).toBytes(true));
  });

  it('same secret key → same public key and signature bytes', () => {
    for (const c of cases) {
      const s = mclSecret(c.sk);
      expect(mcl.mul(g2gen, s).serialize()).toEqual(blsPublicKey(c.sk));
      expect(mcl.mul(mcl.hashAndMapToG1(c.msg), s).serialize()).toEqual(blsSign(c.sk, c.msg));
    }
  });

  it('our signatures verify in mcl, and mcl signatures verify in ours', () => {
    for (const c of cases) {
      expect(mclVerify(blsPublicKey(c.sk), c.msg, blsSign(c.sk, c.msg))).toBe(true);
      const s = mclSecret(c.sk);
      const mclSig = mcl.mul(mcl.hashAndMapToG1(c.msg), s).serialize();
      const mclPk = mcl.mul(g2gen, s).serialize();
      expect(blsVerify(mclPk, c.msg, mclSig)).toBe(true);
      expect(mclVerify(mclPk, utf8('tampered'), mclSig)).toBe(false);
    }
  });
});
