/**
 * RFC 9380 Appendix J.9.1 test vectors, suite BLS12381G1_XMD:SHA-256_SSWU_RO_ (affine x ‖ y, big-endian):
 * the one outside authority for our hash-to-G1. Our signing tag differs only in the DST string.
 */
import { describe, expect, it } from 'vitest';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { toHex, utf8 } from '../protocol';

const DST = 'QUUX-V01-CS02-with-BLS12381G1_XMD:SHA-256_SSWU_RO_';
const vectors: [string, string][] = [
  ['', '052926add2207b76ca4fa57a8734416c8dc95e24501772c814278700eed6d1e4e8cf62d9c09db0fac349612b759e79a108ba738453bfed09cb546dbb0783dbb3a5f1f566ed67bb6be0e8c67e2e81a4cc68ee29813bb7994998f3eae0c9c6a265'],
  ['abc', '03567bc5ef9c690c2ab2ecdf6a96ef1c139cc0b2f284dca0a9a7943388a49a3aee664ba5379a7655d3c68900be2f69030b9c15f3fe6e5cf4211f346271d7b01c8f3b28be689c8429c85b67af215533311f0b8dfaaa154fa6b88176c229f2885d'],
  ['abcdef0123456789', '11e0b079dea29a68f0383ee94fed1b940995272407e3bb916bbf268c263ddd57a6a27200a784cbc248e84f357ce82d9803a87ae2caf14e8ee52e51fa2ed8eefe80f02457004ba4d486d6aa1f517c0889501dc7413753f9599b099ebcbbd2d709'],
  ['q128_' + 'q'.repeat(128), '15f68eaa693b95ccb85215dc65fa81038d69629f70aeee0d0f677cf22285e7bf58d7cb86eefe8f2e9bc3f8cb84fac4881807a1d50c29f430b8cafc4f8638dfeeadf51211e1602a5f184443076715f91bb90a48ba1e370edce6ae1062f5e6dd38'],
  ['a512_' + 'a'.repeat(512), '082aabae8b7dedb0e78aeb619ad3bfd9277a2f77ba7fad20ef6aabdc6c31d19ba5a6d12283553294c1825c4b3ca2dcfe05b84ae5a942248eea39e1d91030458c40153f3b654ab7872d779ad1e942856a20c438e8d99bc8abfbf74729ce1f7ac8'],
];

describe('RFC 9380 hash-to-G1 vectors', () => {
  for (const [msg, want] of vectors) {
    it(`msg "${msg.slice(0, 16)}${msg.length > 16 ? '…' : ''}"`, () => {
      const p = bls12_381.G1.hashToCurve(utf8(msg), { DST }).toAffine();
      const hex48 = (v: bigint) => v.toString(16).padStart(96, '0');
      expect(hex48(p.x) + hex48(p.y)).toBe(want);
      // and the uncompressed encoding agrees with the vector's byte layout
      expect(toHex(bls12_381.G1.Point.fromAffine(p).toBytes(false))).toBe(want);
    });
  }
});
