/**
 * KeyShare ⇄ bytes for the node's registry. Strict: version, sizes and index checked on decode, and the points
 * decode strictly when first used (call assertKeyShareConsistent after loading for the full algebraic check).
 * The private share is in these bytes: store them like a private key and never log them.
 */
import { DecodeError, Writer, decodeAll } from '../protocol';
import { BLS_PUBLIC_KEY_SIZE, BLS_SECRET_KEY_SIZE, decodeSecretScalar } from './bls';
import { COMMITTEE_SIZE_MAX, assertCommitteeKeysShape, type KeyShare } from './threshold';

export const KEY_SHARE_VERSION = 1;

export function encodeKeyShare(share: KeyShare): Uint8Array {
  assertCommitteeKeysShape(share);
  decodeSecretScalar(share.privateShare);
  const w = new Writer().u8(KEY_SHARE_VERSION).u16(share.n).u16(share.t).u16(share.index).fixed(share.masterPublicKey, BLS_PUBLIC_KEY_SIZE);
  for (const p of share.publicShares) w.fixed(p, BLS_PUBLIC_KEY_SIZE);
  return w.fixed(share.privateShare, BLS_SECRET_KEY_SIZE).finish();
}

export function decodeKeyShare(bytes: Uint8Array): KeyShare {
  const share = decodeAll(bytes, 'key share', (r) => {
    const version = r.u8('version');
    if (version !== KEY_SHARE_VERSION) throw new DecodeError(`unknown key share version ${version}`, 0);
    const n = r.u16('n');
    const t = r.u16('t');
    const index = r.u16('index');
    if (n < 1 || n > COMMITTEE_SIZE_MAX || t < 1 || t > n || index >= n) throw new DecodeError(`bad committee shape n=${n} t=${t} index=${index}`, 1);
    const masterPublicKey = r.fixed(BLS_PUBLIC_KEY_SIZE, 'master public key');
    const publicShares = Array.from({ length: n }, () => r.fixed(BLS_PUBLIC_KEY_SIZE, 'public share'));
    const privateShare = r.fixed(BLS_SECRET_KEY_SIZE, 'private share');
    return { n, t, index, masterPublicKey, publicShares, privateShare };
  });
  decodeSecretScalar(share.privateShare); // canonical and non-zero, or a CryptoError
  return share;
}
