import { decodeSecretScalar, encodeG1 } from '../crypto/bls';
import { combinePartials, verifyPartial, type KeyShare } from '../crypto/threshold';
import { PreparedBls } from './bls-prepared';

/** What the operator needs of threshold BLS (spec "Proof of consensus; BLS"). One per chain per node. */
export interface ThresholdSigner {
  readonly n: number;
  readonly t: number;
  readonly index: number;
  readonly masterPublicKey: Uint8Array;
  partialSign(message: Uint8Array): Uint8Array;
  verifyPartial(signerIndex: number, message: Uint8Array, partial: Uint8Array): boolean;
  /** Combines exactly T partials (unverified) into the master signature. */
  combine(partials: readonly { index: number; signature: Uint8Array }[]): Uint8Array;
  verifyMaster(message: Uint8Array, signature: Uint8Array): boolean;
}

/**
 * The real signer over src/crypto threshold BLS. Byte for byte what crypto's partialSign / blsVerify give, but
 * a round's anchor essence is hashed to G1 once for signing and for the leader's master check, and the master
 * public key is decoded and pairing-prepared once per chain (see bls-prepared.ts). The private share is decoded
 * on first use (it was validated when the share was loaded).
 */
export function blsThresholdSigner(share: KeyShare): ThresholdSigner {
  const bls = new PreparedBls();
  let sk: bigint | null = null;
  return {
    n: share.n,
    t: share.t,
    index: share.index,
    masterPublicKey: share.masterPublicKey,
    // = blsSign(privateShare, m): H(m)·sk with the constant-time multiplication (a secret scalar).
    partialSign: (m) => encodeG1(bls.hash(m).multiply((sk ??= decodeSecretScalar(share.privateShare)))),
    verifyPartial: (i, m, p) => verifyPartial(share, i, m, p),
    combine: (ps) => combinePartials(share, ps.slice(0, share.t)),
    verifyMaster: (m, s) => bls.verify(share.masterPublicKey, m, s),
  };
}
