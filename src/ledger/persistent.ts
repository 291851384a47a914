import type { ValueTransaction } from '../protocol/transaction';
import type { Ledger, LedgerEvent, SubmitResult } from './ledger';
import type { LedgerRecord } from './log';

/** Where accepted history goes (a FileLog, or nothing for --memory). */
export interface RecordSink {
  append(records: readonly LedgerRecord[]): void;
}

export class LedgerReplayError extends Error {
  override readonly name = 'LedgerReplayError';
}

/**
 * A ledger whose accepted transactions and confirmations are written to a sink before anyone hears of them:
 * submit() and tick() return only after the records are durable, so a crash loses nothing a client was told.
 */
export class PersistentLedger {
  constructor(
    readonly ledger: Ledger,
    private readonly sink: RecordSink | undefined,
  ) {}

  submit(tx: ValueTransaction, nowMs: number): SubmitResult {
    const r = this.ledger.submit(tx, nowMs);
    if (r.state === 'booked' && !r.duplicate) this.sink?.append([{ kind: 'booked', atMs: nowMs, tx }]);
    return r;
  }

  tick(nowMs: number): LedgerEvent[] {
    const events = this.ledger.tick(nowMs);
    const confirmed: LedgerRecord[] = [];
    for (const e of events) if (e.kind === 'confirmed') confirmed.push({ kind: 'confirmed', atMs: nowMs, txId: e.txId });
    this.sink?.append(confirmed);
    return events;
  }
}

/**
 * Rebuilds a ledger from its log. Signatures are not re-verified (each record was verified before it was written
 * and is checksummed); everything else is, so a log that does not replay cleanly is reported, not trusted.
 */
export function replayLedger(ledger: Ledger, records: readonly LedgerRecord[]): { booked: number; confirmed: number } {
  let booked = 0;
  let confirmed = 0;
  for (const [i, r] of records.entries()) {
    if (r.kind === 'booked') {
      const res = ledger.submit(r.tx, r.atMs, { skipSignatures: true });
      if (res.state === 'rejected') throw new LedgerReplayError(`record ${i}: logged transaction no longer books: ${res.reason}`);
      booked++;
    } else {
      if (ledger.getInclusionState(r.txId)?.state !== 'booked') throw new LedgerReplayError(`record ${i}: confirmation of a transaction that is not booked`);
      ledger.confirmNow(r.txId);
      confirmed++;
    }
  }
  return { booked, confirmed };
}
