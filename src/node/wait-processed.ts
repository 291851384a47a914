import { requestIDToString, type ChainID, type RequestID } from '../protocol';
import { readReceipt, type RequestReceipt } from '../vm/core/blocklog';
import type { StateReader } from '../state/types';
import type { Clock } from './types';

/**
 * "Wait until this node's solid state holds a receipt for every request": the worker's dashboard commands and the
 * CLI both poll for it. The node has no timers (README), so the host passes the clock it waits on.
 */
export interface PollClock extends Clock {
  sleep(ms: number): Promise<void>;
}

export interface WaitProcessedOptions {
  readonly clock: PollClock;
  readonly timeoutMs: number;
  /** How long to sleep between looks at the state. */
  readonly pollMs: number;
}

/** Timeout of waitProcessed: which requests still had no receipt, so each host can word it for its users. */
export class NotProcessedError extends Error {
  constructor(
    readonly missing: readonly RequestID[],
    readonly timeoutMs: number,
  ) {
    super(`request ${missing.map(requestIDToString).join(', ')} not processed within ${timeoutMs / 1000} s`);
    this.name = 'NotProcessedError';
  }
}

/** Only the solid state is read: a narrow view of WaspNode, so tests can hand in a plain state. */
export interface ProcessedSource {
  solidState(chain: ChainID): StateReader | null;
}

/** Resolves with the receipts (in `ids` order) once all are in the solid state; rejects with NotProcessedError. */
export async function waitProcessed(node: ProcessedSource, chain: ChainID, ids: readonly RequestID[], o: WaitProcessedOptions): Promise<RequestReceipt[]> {
  const deadline = o.clock.nowMs() + o.timeoutMs;
  for (;;) {
    const st = node.solidState(chain);
    const receipts = st ? ids.map((id) => readReceipt(st, id)) : [];
    if (st && receipts.every((r) => r !== undefined)) return receipts as RequestReceipt[];
    if (o.clock.nowMs() >= deadline) throw new NotProcessedError(ids.filter((_, i) => receipts[i] === undefined), o.timeoutMs);
    await o.clock.sleep(o.pollMs);
  }
}
