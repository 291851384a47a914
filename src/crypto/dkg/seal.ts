/**
 * Encrypting a share to its recipient: ephemeral-static X25519 (the recipient's X25519 key is derived from its
 * ed25519 node key, so no second key needs distributing) + ChaCha20-Poly1305 with the session, dealer and
 * recipient as associated data. A fresh ephemeral key per deal makes the all-zero nonce safe.
 */
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { Writer, blake2b256, concatBytes, utf8, type Rng } from '../../protocol';

const KDF_TAG = utf8('ISCP-DKG-deal-key-v1');
const EPHEMERAL_SIZE = 32;
const NONCE = new Uint8Array(12);

function aad(sessionId: Uint8Array, dealer: number, recipient: number): Uint8Array {
  return new Writer().fixed(sessionId, 32).u16(dealer).u16(recipient).finish();
}

export function sealShare(
  share: Uint8Array,
  recipientEd25519PublicKey: Uint8Array,
  sessionId: Uint8Array,
  dealer: number,
  recipient: number,
  rng: Rng,
): Uint8Array {
  const ephSecret = rng.bytes(32);
  const ephPublic = x25519.getPublicKey(ephSecret);
  const recipientX = ed25519.utils.toMontgomery(recipientEd25519PublicKey);
  const shared = x25519.getSharedSecret(ephSecret, recipientX);
  const key = blake2b256(KDF_TAG, shared, ephPublic, recipientX);
  const ct = chacha20poly1305(key, NONCE, aad(sessionId, dealer, recipient)).encrypt(share);
  return concatBytes(ephPublic, ct);
}

/** Returns undefined for anything that does not decrypt (garbage, wrong recipient, tampering): a complaint. */
export function openShare(
  sealed: Uint8Array,
  recipientEd25519SecretKey: Uint8Array,
  sessionId: Uint8Array,
  dealer: number,
  recipient: number,
): Uint8Array | undefined {
  try {
    if (sealed.length <= EPHEMERAL_SIZE) return undefined;
    const ephPublic = sealed.subarray(0, EPHEMERAL_SIZE);
    const mySecretX = ed25519.utils.toMontgomerySecret(recipientEd25519SecretKey);
    const myPublicX = x25519.getPublicKey(mySecretX);
    const shared = x25519.getSharedSecret(mySecretX, ephPublic);
    const key = blake2b256(KDF_TAG, shared, ephPublic, myPublicX);
    return chacha20poly1305(key, NONCE, aad(sessionId, dealer, recipient)).decrypt(sealed.subarray(EPHEMERAL_SIZE));
  } catch {
    return undefined;
  }
}
