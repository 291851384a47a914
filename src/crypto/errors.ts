/** Stable codes: callers branch on `code`, never on the message text. */
export type CryptoErrorCode =
  | 'bad-length' // bytes of the wrong size for what they claim to be
  | 'bad-point' // not a valid compressed encoding, or not on the curve
  | 'not-in-subgroup' // on the curve but outside the prime-order subgroup
  | 'identity' // the point at infinity where a real key or signature is required
  | 'bad-scalar' // a scalar ≥ r (non-canonical): @noble would silently reduce it
  | 'zero-scalar' // a zero secret key or share
  | 'bad-params' // N, T or committee keys that break the rules (1 ≤ T ≤ N ≤ bound)
  | 'bad-index' // a committee member index that is not an integer in [0, N)
  | 'duplicate-index' // the same signer twice in one combine
  | 'too-few-partials' // fewer than T partial signatures to combine
  | 'inconsistent-keys'; // a private share that does not match its public share, or shares off the polynomial

/** The one error type of src/crypto: a typed `code` plus a message that says what was wrong. Never carries secrets. */
export class CryptoError extends Error {
  override readonly name = 'CryptoError';
  constructor(
    readonly code: CryptoErrorCode,
    detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}
