import { toHex, type Address, type RequestID, type TransactionID } from '../../protocol';
import { chainUtxoRequestsMissing, straysForAnchor } from '../anchor';
import type { BacklogRequest } from '../backlog';
import { selectBatch } from '../batch';
import type { ComputationContextMsg, RoundId } from '../messages';
import type { StepView } from './view';

/** The leader's side of the committee in steps 3–5. */
export interface LeaderSeat {
  /** The leader's committee index: it counts as having seen every request ready here. */
  readonly me: number;
  /** The quorum T. */
  readonly t: number;
  /** Step 5c: carried in the context (rewards are disabled). */
  readonly rewardAddress: Address;
}

export interface ProposedContext {
  readonly msg: ComputationContextMsg;
  /** The requests msg names, from the leader's backlog, in batch order. */
  readonly batch: readonly BacklogRequest[];
}

/**
 * Steps 3–5 on the leader: from the requests ready here and the members' notifications (member → request keys),
 * the batch a quorum can compute (selectBatch: ≥ T seen, greedy common quorum, request txs whole, ordered), the
 * strays that ride along, a timestamp from the leader's clock but after the state's, and the reward address.
 * Null when there is nothing to propose yet.
 */
export function buildContext(
  round: { readonly id: RoundId; readonly notifications: ReadonlyMap<number, ReadonlySet<string>> },
  ready: readonly BacklogRequest[],
  view: StepView,
  seat: LeaderSeat,
  nowMs: number,
): ProposedContext | null {
  const { base } = view;
  // A request counts when ≥ T members (the leader included) reported it: until T−1 did, nothing can qualify.
  if (round.notifications.size + 1 < seat.t) return null;
  if (ready.length === 0) return null;
  const seenBy = new Map<string, Set<number>>();
  for (const q of ready) seenBy.set(q.key, new Set([seat.me]));
  for (const [member, keys] of round.notifications) for (const k of keys) seenBy.get(k)?.add(member);
  const batch = selectBatch(ready, seenBy, seat.t, view.batchMax, toHex(base.chainUtxo.txId));
  if (batch.length === 0) return null;
  // Requests the chain posted to itself sit in the chain UTXO: no batch without them (they would be lost).
  if (chainUtxoRequestsMissing(base.chainUtxo, view.chainColor, batch)) return null;
  const minTs = base.state.timestamp + 1n;
  const own = BigInt(nowMs) * 1_000_000n;
  // Strays ride along with a batch (docs/decisions/vm-request-semantics.md "Tokens nobody claims"): the first
  // few by tx ID, within the anchor's input room.
  const strays = straysForAnchor(view.backlog.strays(), base.chainUtxo, batch);
  const requestIds: RequestID[] = batch.map((q) => q.id);
  const strayTxIds: TransactionID[] = strays.map((x) => x.txId);
  const msg: ComputationContextMsg = {
    kind: 'computationContext',
    round: round.id,
    timestamp: own > minTs ? own : minTs,
    rewardAddress: seat.rewardAddress,
    requestIds,
    ...(strayTxIds.length > 0 ? { strayTxIds } : {}),
  };
  return { msg, batch };
}
