import { blsVerify } from '../crypto/bls';
import { combinePartials, partialSign, verifyPartial, type KeyShare } from '../crypto/threshold';

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

/** The real signer over src/crypto threshold BLS. */
export function blsThresholdSigner(share: KeyShare): ThresholdSigner {
  return {
    n: share.n,
    t: share.t,
    index: share.index,
    masterPublicKey: share.masterPublicKey,
    partialSign: (m) => partialSign(share, m),
    verifyPartial: (i, m, p) => verifyPartial(share, i, m, p),
    combine: (ps) => combinePartials(share, ps.slice(0, share.t)),
    verifyMaster: (m, s) => blsVerify(share.masterPublicKey, m, s),
  };
}
