import { blake2b256, essenceBytes, type Essence } from '../protocol';
import { encodeConsensusMsg, type ComputationContextMsg } from './messages';

/** Hash of a computation context as sent (the round is part of it). */
export function contextHash(ctx: ComputationContextMsg): Uint8Array {
  return blake2b256(encodeConsensusMsg(ctx));
}

/**
 * Spec step 9a: hash(context ‖ result). The result is the anchor essence (which carries the new state hash,
 * hence the block) — two members with equal result hashes would sign the same bytes.
 */
export function resultHash(ctxHash: Uint8Array, anchorEssence: Essence): Uint8Array {
  return blake2b256(ctxHash, essenceBytes(anchorEssence));
}
