import { blake2b } from '@noble/hashes/blake2.js';

export const HASH_SIZE = 32;

/** blake2b-256: the one hash of the protocol (ids, colors, state hashes, hnames). */
export function blake2b256(...parts: Uint8Array[]): Uint8Array {
  const h = blake2b.create({ dkLen: HASH_SIZE });
  for (const p of parts) h.update(p);
  return h.digest();
}
