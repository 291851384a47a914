/** Public API of the threshold-BLS and DKG layer (ed25519 node signatures live in ed25519*.ts / verifier*.ts). */
export * from './errors';
export {
  BLS_DST,
  BLS_PUBLIC_KEY_SIZE,
  BLS_SECRET_KEY_SIZE,
  BLS_SIGNATURE_SIZE,
  blsPublicKey,
  blsSign,
  blsVerify,
  decodeG1,
  decodeG2,
  decodeSecretScalar,
} from './bls';
export {
  COMMITTEE_SIZE_MAX,
  assertKeyShareConsistent,
  blsAddress,
  combinePartials,
  partialSign,
  prepareCommitteeKeys,
  randomnessFromSignature,
  trustedDealerKeygen,
  trustedDealerKeygenForTestsOnly,
  verifyPartial,
  verifyPartialsBatch,
  type CommitteeKeys,
  type KeyShare,
  type PartialCheck,
  type PartialSignature,
} from './threshold';
export { encodeKeyShare, decodeKeyShare } from './keyshare';
export { DkgMember, type DkgAction, type DkgProgress, type DkgResult, type DkgState, type Exclusion } from './dkg/member';
export { dkgSessionId, DKG_PHASE_TIMEOUT_MS_DEFAULT, type DkgNodeKeys, type DkgParams } from './dkg/params';
