import { essenceBytes, requestIDKey, ValidationError, type RequestID } from '../../protocol';
import { makeBlock } from '../../state/block';
import type { Block } from '../../state/types';
import { buildAnchorEssence } from '../anchor';
import { resultHash } from '../context';
import type { ComputationContext, MyResult } from '../round';
import type { ThresholdSigner } from '../signer';
import type { VmOutcome } from '../vm-port';
import type { StepView } from './view';

export type ComputedResult =
  /** Step 14's block candidate, the state hash it results in, and this node's result (steps 7–9a). */
  | { readonly kind: 'computed'; readonly mine: MyResult; readonly block: Block; readonly stateHash: Uint8Array; readonly requestIds: readonly RequestID[] }
  /** The outcome cannot be anchored; `why` is the whole note (the round waits for its timeout). */
  | { readonly kind: 'unusable'; readonly why: string };

/**
 * Steps 7–9a: the VM's outcome on `context` → the block, the state hash after it, the anchor essence that spends
 * the batch's (non-deferred) request UTXOs and strays, this node's partial signature of it (step 8) and
 * hash(context ‖ result) (9a). Deterministic: honest members compute the same essence, hence sign the same bytes.
 */
export function computeResult(outcome: VmOutcome | { readonly error: string }, context: ComputationContext, view: StepView, signer: Pick<ThresholdSigner, 'partialSign'>): ComputedResult {
  const { base } = view;
  if ('error' in outcome) return { kind: 'unusable', why: `The VM failed: ${outcome.error}. Waiting for the round to time out.` };
  if (outcome.skipped && outcome.skipped.length > 0) {
    return { kind: 'unusable', why: `The VM skipped ${outcome.skipped.length} request(s) (${outcome.skipped[0]?.reason}): this context cannot be anchored; waiting for the timeout.` };
  }
  // Transactions the VM deferred are not consumed: they stay in the backlog for a later block.
  const deferred = new Set((outcome.deferred ?? []).map((id) => requestIDKey(id)));
  const processed = deferred.size === 0 ? context.batch : context.batch.filter((q) => !deferred.has(q.key));
  let block: Block;
  let stateHash: Uint8Array;
  let essence;
  try {
    block = makeBlock(base.state.blockIndex + 1, outcome.updates);
    stateHash = base.state.hashAfter(block);
    essence = buildAnchorEssence({
      chainAddress: view.chainAddress,
      chainColor: view.chainColor,
      chainUtxo: base.chainUtxo,
      requests: processed,
      blockIndex: block.blockIndex,
      timestamp: block.timestamp,
      stateHash,
      withdrawals: outcome.withdrawals,
      outgoingRequests: outcome.outgoingRequests,
      strays: context.strays,
    });
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    return { kind: 'unusable', why: `Cannot build the block/anchor: ${e.message}. Waiting for the round to time out.` };
  }
  const message = essenceBytes(essence);
  const mine: MyResult = { ctxHash: context.hash, resultHash: resultHash(context.hash, essence), partialSig: signer.partialSign(message), essence, message };
  return { kind: 'computed', mine, block, stateHash, requestIds: processed.map((q) => q.id) };
}
