import { equalBytes, toHex } from '../protocol';
import { decodeG1, decodeG2, hashToG1, pairingCheck, prepareG2, type G1Point, type PreparedG2 } from '../crypto/bls';

/** Prepared public keys kept by one verifier (oldest dropped first): a chain has one master key; L1 sees a few. */
export const PREPARED_KEYS_MAX = 64;
/** Hashed messages kept: a round signs and verifies one anchor essence, a re-anchored round a second one. */
export const HASHED_MESSAGES_MAX = 4;

/**
 * The same check as crypto's `blsVerify` (strict decoding, the same pairing equation, never throws), with the
 * costly parts that do not depend on the signature done once: a public key is decoded (subgroup check) and
 * pairing-prepared the first time it is seen, and hash-to-G1 of a message is kept for the few messages in flight
 * (the operator signs and verifies the same anchor essence). Every signature is still verified in full: nothing
 * here remembers a verdict. Caches are keyed by exact bytes, so they can only return what recomputing would.
 */
export class PreparedBls {
  private readonly keys = new Map<string, PreparedG2 | null>();
  private readonly hashed: { message: Uint8Array; point: G1Point }[] = [];

  /** hash-to-G1 of `message` (the ciphersuite of crypto/bls), memoised for the last few messages. */
  hash(message: Uint8Array): G1Point {
    for (const h of this.hashed) if (equalBytes(h.message, message)) return h.point;
    const point = hashToG1(message);
    this.hashed.unshift({ message: message.slice(), point });
    if (this.hashed.length > HASHED_MESSAGES_MAX) this.hashed.pop();
    return point;
  }

  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    try {
      const pk = this.preparedKey(publicKey);
      if (!pk) return false;
      return pairingCheck(this.hash(message), pk, decodeG1(signature));
    } catch {
      return false;
    }
  }

  /** The decoded, pairing-prepared key; null for bytes that are not a valid G2 public key (remembered too). */
  private preparedKey(publicKey: Uint8Array): PreparedG2 | null {
    if (!(publicKey instanceof Uint8Array)) return null;
    const k = toHex(publicKey);
    const hit = this.keys.get(k);
    if (hit !== undefined) return hit;
    let p: PreparedG2 | null;
    try {
      p = prepareG2(decodeG2(publicKey));
    } catch {
      p = null;
    }
    if (this.keys.size >= PREPARED_KEYS_MAX) this.keys.delete(this.keys.keys().next().value as string);
    this.keys.set(k, p);
    return p;
  }
}
