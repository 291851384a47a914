import {
  concatBytes,
  decodeAll,
  readRequestID,
  utf8,
  Writer,
  writeRequestID,
  type Hname,
  type RequestID,
} from '../../protocol';
import type { StateReader } from '../../state/types';
import type { VirtualStateBuffer } from '../../state/vstate';
import { decU32, encU32 } from '../dict';
import { partitionKey } from '../partition';
import { H } from './names';

/**
 * Event log, kept in the `eventlog` partition:
 *   'n' ‖ hname(LE)               → u32 number of records
 *   'r' ‖ hname(LE) ‖ u32 BE index → record (big-endian index so key order = time order)
 */
export interface EventRecord {
  readonly timestamp: bigint;
  readonly requestId?: RequestID;
  readonly message: string;
}

const countKey = (c: Hname) => partitionKey(H.eventlog, concatBytes(utf8('n'), encU32(c)));
function recordKey(c: Hname, i: number): Uint8Array {
  const be = new Uint8Array(4);
  new DataView(be.buffer).setUint32(0, i, false);
  return partitionKey(H.eventlog, concatBytes(utf8('r'), encU32(c), be));
}

export function encodeEventRecord(e: EventRecord): Uint8Array {
  const w = new Writer().i64(e.timestamp).bool(e.requestId !== undefined);
  if (e.requestId) writeRequestID(w, e.requestId);
  return w.string(e.message).finish();
}
export function decodeEventRecord(b: Uint8Array): EventRecord {
  return decodeAll(b, 'event record', (r) => {
    const timestamp = r.i64();
    const requestId = r.bool() ? readRequestID(r) : undefined;
    const message = r.string();
    return requestId ? { timestamp, requestId, message } : { timestamp, message };
  });
}

export function numEventRecords(st: StateReader, contract: Hname): number {
  const v = st.get(countKey(contract));
  return v ? decU32(v) : 0;
}

export function appendEvent(st: VirtualStateBuffer, contract: Hname, timestamp: bigint, requestId: RequestID | undefined, message: string): void {
  const n = numEventRecords(st, contract);
  st.set(recordKey(contract, n), encodeEventRecord(requestId ? { timestamp, requestId, message } : { timestamp, message }));
  st.set(countKey(contract), encU32(n + 1));
}

/** The last `max` records with fromTs ≤ timestamp ≤ toTs, oldest first. Walks back from the newest. */
export function eventRecords(st: StateReader, contract: Hname, fromTs: bigint, toTs: bigint, max: number): EventRecord[] {
  const out: EventRecord[] = [];
  for (let i = numEventRecords(st, contract) - 1; i >= 0 && out.length < max; i--) {
    const rec = decodeEventRecord(st.get(recordKey(contract, i)) as Uint8Array);
    if (rec.timestamp < fromTs) break; // records are in time order
    if (rec.timestamp <= toTs) out.push(rec);
  }
  return out.reverse();
}
