import { addressKey, compareBytes, requestIDKey, requestIDToString, toHex, txIdToString, type TransactionID } from '../../protocol';
import { chainUtxoRequestsMissing } from '../anchor';
import type { BacklogRequest } from '../backlog';
import { isStrictlyOrdered } from '../batch';
import type { ComputationContextMsg } from '../messages';
import { CONSENSUS_PARAMS } from '../params';
import type { StepView } from './view';

/** The context names a request or stray this node has not loaded yet: hold it, it cannot be judged. */
export const UNKNOWN_REQUESTS = 'unknown-requests';

/**
 * Step 6 on a member (and before any catch-up): may this node compute the leader's context? Null when it may;
 * UNKNOWN_REQUESTS when it must first load request transactions; else the problem, which is evidence against
 * the leader. The checks are the rules an honest leader's buildContext keeps (steps 3–5), cheap ones first.
 */
export function validateContext(ctx: ComputationContextMsg, view: StepView, nowMs: number): string | null {
  const { base, backlog } = view;
  const ids = ctx.requestIds;
  if (ids.length === 0) return 'empty batch';
  // Over the bound only as one request transaction on its own (selectBatch's exception).
  if (ids.length > view.batchMax && !ids.every((id) => compareBytes(id.txId, (ids[0] as (typeof ids)[number]).txId) === 0)) return `batch of ${ids.length} > ${view.batchMax}`;
  if (!isStrictlyOrdered(ids)) return 'batch not strictly ordered by request ID';
  const tsMs = Number(ctx.timestamp / 1_000_000n);
  if (Math.abs(tsMs - nowMs) > view.toleranceMs) return `timestamp ${tsMs} ms is more than ${view.toleranceMs} ms from this node's clock ${nowMs}`;
  if (ctx.timestamp <= base.state.timestamp) return 'timestamp not after the state timestamp';
  const perTx = new Map<string, number>();
  const batch: BacklogRequest[] = [];
  for (const id of ids) {
    const q = backlog.get(requestIDKey(id));
    if (!q) return UNKNOWN_REQUESTS;
    if (view.isRequestProcessed(base.state, id)) return `request ${requestIDToString(id)} was already processed`;
    batch.push(q);
    const k = toHex(id.txId);
    perTx.set(k, (perTx.get(k) ?? 0) + 1);
  }
  // A request transaction's UTXO is consumed whole by the anchor: all its requests or none.
  const senders = new Set<string>();
  for (const q of batch) {
    if (perTx.get(toHex(q.id.txId)) !== q.requestsInTx) return `request transaction ${txIdToString(q.id.txId).slice(0, 10)}… only partly in the batch`;
    senders.add(addressKey(q.senderAddress));
  }
  const missing = chainUtxoRequestsMissing(base.chainUtxo, view.chainColor, batch);
  if (missing) return missing;
  const strays = ctx.strayTxIds ?? [];
  if (strays.length > CONSENSUS_PARAMS.batchStraysMax) return `${strays.length} strays > ${CONSENSUS_PARAMS.batchStraysMax}`;
  let prev: TransactionID | undefined;
  for (const id of strays) {
    if (prev && compareBytes(prev, id) >= 0) return 'strays not strictly ordered by tx ID';
    prev = id;
  }
  for (const id of strays) if (!backlog.stray(id)) return perTx.has(toHex(id)) ? `stray ${txIdToString(id).slice(0, 10)}… is a request transaction` : UNKNOWN_REQUESTS;
  // Bounds that keep the anchor a valid L1 transaction (see CONSENSUS_PARAMS).
  const inputs = perTx.size + strays.length;
  if (inputs > CONSENSUS_PARAMS.batchRequestTxsMax) return `batch spends ${perTx.size} request transactions and ${strays.length} strays > ${CONSENSUS_PARAMS.batchRequestTxsMax}`;
  if (senders.size > CONSENSUS_PARAMS.batchSendersMax) return `batch has ${senders.size} sender addresses > ${CONSENSUS_PARAMS.batchSendersMax}`;
  return null;
}
