import { addressKey, compareRequestIDs, toHex, type RequestID } from '../protocol';
import type { BacklogRequest } from './backlog';
import { CONSENSUS_PARAMS } from './params';

/**
 * Spec step 3 (Wasp's greedy rule): from the leader's ready requests keep those seen by at least T members
 * (the leader counts itself), then grow the batch in order of popularity while the set of members that have
 * seen EVERY request in it still has at least T members — so a quorum can compute the whole batch.
 * A request transaction's UTXO is consumed whole by the anchor, so its requests to this chain are taken all
 * together or not at all. The batch is bounded so its anchor is a valid transaction (request txs ≤
 * batchRequestTxsMax, sender addresses ≤ batchSendersMax) and holds at most `batchMax` requests — except one
 * request transaction with more, which is a batch of its own. Step 4: the batch is ordered by request ID bytes.
 *
 * `seenBy` maps request key → set of member indices that reported it ready (including the leader).
 */
export function selectBatch(
  ready: readonly BacklogRequest[],
  seenBy: ReadonlyMap<string, ReadonlySet<number>>,
  t: number,
  batchMax: number = CONSENSUS_PARAMS.batchRequestsMax,
  /** Hex ID of the chain UTXO's transaction: its requests (posted by the chain to itself) are taken first. */
  firstTx?: string,
): BacklogRequest[] {
  const candidates = ready.filter((r) => (seenBy.get(r.key)?.size ?? 0) >= t);
  candidates.sort((a, b) => (seenBy.get(b.key)?.size ?? 0) - (seenBy.get(a.key)?.size ?? 0) || byId(a, b));
  // Group by request transaction: the group is the unit of selection.
  const groups = new Map<string, BacklogRequest[]>();
  for (const r of candidates) {
    const k = toHex(r.id.txId);
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  if (firstTx !== undefined && groups.has(firstTx)) {
    const g = groups.get(firstTx) as BacklogRequest[];
    groups.delete(firstTx);
    const rest = [...groups];
    groups.clear();
    groups.set(firstTx, g);
    for (const [k, v] of rest) groups.set(k, v);
  }
  let quorum: Set<number> | null = null;
  const batch: BacklogRequest[] = [];
  let txs = 0;
  const senders = new Set<string>();
  for (const g of groups.values()) {
    const first = g[0] as BacklogRequest;
    if (g.length !== first.requestsInTx) continue; // some of the tx's requests not ready
    // A request transaction bigger than the bound alone is still taken alone (it can carry up to
    // requestsPerPayloadMax requests; governance may set maxBatchSize lower): otherwise it would wait forever.
    if (batch.length + g.length > batchMax && batch.length > 0) continue;
    // The anchor must stay a valid transaction: one input per request tx, one output per sender.
    if (txs + 1 > CONSENSUS_PARAMS.batchRequestTxsMax) break;
    const sender = addressKey(first.senderAddress);
    if (!senders.has(sender) && senders.size + 1 > CONSENSUS_PARAMS.batchSendersMax) continue;
    let next: Set<number> | null = quorum;
    for (const r of g) next = intersect(next, seenBy.get(r.key) as ReadonlySet<number>);
    if ((next as Set<number>).size < t) continue;
    quorum = next;
    batch.push(...g);
    txs++;
    senders.add(sender);
  }
  return batch.sort(byId);
}

/** Keys are the hex of fixed-length request ID bytes: comparing them is comparing the bytes, without encoding. */
const byId = (a: BacklogRequest, b: BacklogRequest): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

function intersect(a: Set<number> | null, b: ReadonlySet<number>): Set<number> {
  if (a === null) return new Set(b);
  return new Set([...a].filter((x) => b.has(x)));
}

/** True when IDs are strictly increasing by bytes (the only batch order a member accepts). */
export function isStrictlyOrdered(ids: readonly RequestID[]): boolean {
  for (let i = 1; i < ids.length; i++) if (compareRequestIDs(ids[i - 1] as RequestID, ids[i] as RequestID) >= 0) return false;
  return true;
}
