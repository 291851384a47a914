/** DKG parameters, bounds and the session binding: one typed place for every number the protocol uses. */
import { Writer, blake2b256, utf8, type Rng } from '../../protocol';

/** Default time each phase waits for the messages it expects before moving on without them. */
export const DKG_PHASE_TIMEOUT_MS_DEFAULT = 5_000;
/** Bound on the rejection log a member keeps for diagnostics (oldest dropped first). */
export const DKG_REJECTIONS_MAX = 1_024;
/** Bound on one encoded DKG message: a justification with N ≤ 256 shares and T commitments stays far below it. */
export const DKG_MESSAGE_BYTES_MAX = 64 * 1024;
export const ED25519_PUBLIC_KEY_SIZE = 32;
export const ED25519_SECRET_KEY_SIZE = 32;
export const ED25519_SIGNATURE_SIZE = 64;
export const SESSION_ID_SIZE = 32;

/** Each member's long-term node signing key (ed25519) and every member's public key, in committee index order. */
export interface DkgNodeKeys {
  secretKey: Uint8Array;
  publicKeys: Uint8Array[];
}

export interface DkgParams {
  sessionId: Uint8Array;
  n: number;
  t: number;
  /** 0-based index of this member in the committee. */
  index: number;
  nodeKeys: DkgNodeKeys;
  rng: Rng;
  /** Per-phase timeout; default DKG_PHASE_TIMEOUT_MS_DEFAULT. */
  phaseTimeoutMs?: number;
}

const SESSION_TAG = utf8('ISCP-DKG-session-v1');

/**
 * Binds a DKG run to its chain request and its committee: hash of the request id, N, T and the members' node
 * public keys in committee (index) order — so a message from another run or another committee never verifies.
 */
export function dkgSessionId(chainRequestId: Uint8Array, t: number, memberPublicKeys: readonly Uint8Array[]): Uint8Array {
  const w = new Writer().bytes(chainRequestId).u16(memberPublicKeys.length).u16(t);
  for (const k of memberPublicKeys) w.fixed(k, ED25519_PUBLIC_KEY_SIZE);
  return blake2b256(SESSION_TAG, w.finish());
}
