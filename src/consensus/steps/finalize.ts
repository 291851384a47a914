import { AddressKind, transactionId, type TransactionID, type ValueTransaction } from '../../protocol';
import type { ResultAndPartialSigMsg } from '../messages';
import type { MyResult } from '../round';
import type { ThresholdSigner } from '../signer';

/** Step 11's evidence text (EvidenceKind 'badPartialSignature'). */
export const BAD_PARTIAL_DETAIL = 'partial signature does not verify against the member public share';

export type Finalized =
  /** Fewer than T results accepted: wait for more (or the timeout). */
  | { readonly kind: 'short' }
  /** Step 12: the anchor with the master signature, ready to post (step 13). */
  | { readonly kind: 'signed'; readonly tx: ValueTransaction; readonly txId: TransactionID }
  /**
   * Step 11: the T partials did not combine into a valid signature; `culprits` are the members whose partial
   * does not verify (possibly none: then nothing is known against anyone). Drop them and wait for more results.
   */
  | { readonly kind: 'culprits'; readonly culprits: readonly number[] };

/**
 * Steps 11–12 on the leader: from the accepted results (member → result; the leader's own included) take T —
 * its own first, then by member index — and combine their partial signatures. Optimistic: one master-signature
 * check instead of T−1 partial checks; only when it fails are the partials checked one by one to find the culprits.
 */
export function finalize(mine: MyResult, results: ReadonlyMap<number, ResultAndPartialSigMsg>, signer: ThresholdSigner): Finalized {
  const { t, index: me } = signer;
  if (results.size < t) return { kind: 'short' };
  const candidates = [...results.entries()].sort(([a], [b]) => (a === me ? -1 : b === me ? 1 : a - b)).slice(0, t);
  const partials = candidates.map(([index, m]) => ({ index, signature: m.partialSig }));
  let signature: Uint8Array | null = null;
  try {
    const s = signer.combine(partials);
    if (signer.verifyMaster(mine.message, s)) signature = s;
  } catch {
    // A partial that is not even a curve point: the same as one that does not verify.
    signature = null;
  }
  if (!signature) {
    const culprits = candidates.filter(([index, m]) => index !== me && !signer.verifyPartial(index, mine.message, m.partialSig)).map(([index]) => index);
    return { kind: 'culprits', culprits };
  }
  const tx: ValueTransaction = { ...mine.essence, signatures: [{ kind: AddressKind.BLS, publicKey: signer.masterPublicKey, signature }] };
  return { kind: 'signed', tx, txId: transactionId(tx) };
}
