import { blsVerify } from '../crypto/bls';
import type { BlsVerifyFn } from '../crypto/verifier';

/** The hub's BLS check for chain-address inputs (src/crypto/bls.ts); any throw from bad bytes is a plain "no". */
export const blsVerifyForHub: BlsVerifyFn = (pk, msg, sig) => {
  try {
    return blsVerify(pk, msg, sig);
  } catch {
    return false;
  }
};
