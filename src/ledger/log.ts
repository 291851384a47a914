import { decodeAll, Writer } from '../protocol/codec';
import { DecodeError } from '../protocol/errors';
import { crc32, encodeLogRecord, RECORD_HEADER_BYTES, scanRecordLog, type LogDamage, type RecordLogLimits, type RecordScan } from '../protocol/record-log';
import { TX_ID_SIZE, type TransactionID } from '../protocol/ids';
import { LIMITS } from '../protocol/limits';
import { decodeTransaction, encodeTransaction, type ValueTransaction } from '../protocol/transaction';

/**
 * The ledger's persisted history, pure part: what a record says and how it is framed. A record is
 * u32 LE payload length ‖ u32 LE CRC-32 of the payload ‖ payload. Only accepted transactions and their
 * confirmations are written: a rejection changes no state.
 */
export type LedgerRecord =
  | { readonly kind: 'booked'; readonly atMs: number; readonly tx: ValueTransaction }
  | { readonly kind: 'confirmed'; readonly atMs: number; readonly txId: TransactionID };

const BOOKED = 1;
const CONFIRMED = 2;
export { RECORD_HEADER_BYTES, crc32, type LogDamage };
export const RECORD_PAYLOAD_BYTES_MAX = LIMITS.transactionBytesMax + 64;

export function encodeRecord(r: LedgerRecord): Uint8Array {
  const w = new Writer();
  if (r.kind === 'booked') w.u8(BOOKED).u64(BigInt(r.atMs)).bytes(encodeTransaction(r.tx));
  else w.u8(CONFIRMED).u64(BigInt(r.atMs)).fixed(r.txId, TX_ID_SIZE);
  return encodeLogRecord(w.finish());
}

export function decodeRecordPayload(payload: Uint8Array): LedgerRecord {
  return decodeAll(payload, 'ledger record', (r) => {
    const at = r.offset;
    const kind = r.u8('record kind');
    const atMs = Number(r.u64('record time'));
    if (kind === BOOKED) return { kind: 'booked', atMs, tx: decodeTransaction(r.bytes(LIMITS.transactionBytesMax, 'transaction')) };
    if (kind === CONFIRMED) return { kind: 'confirmed', atMs, txId: r.fixed(TX_ID_SIZE, 'tx ID') };
    throw new DecodeError(`unknown record kind ${kind}`, at);
  });
}

/**
 * Framing limits of the log, in one place. The smallest record is a confirmation (kind, time, tx ID): a length
 * below it is not a record at all, which is also what keeps a zero-filled tail (length 0, checksum 0 = CRC of
 * nothing) from passing as one.
 */
export const LOG_LIMITS = {
  recordPayloadBytesMin: 1 + 8 + TX_ID_SIZE,
  recordPayloadBytesMax: RECORD_PAYLOAD_BYTES_MAX,
  recordBytesMax: RECORD_HEADER_BYTES + RECORD_PAYLOAD_BYTES_MAX,
  /**
   * The largest damaged tail still taken for a torn write. Every append is fsynced before the next, so a crash
   * tears only the last append, and what a crash leaves of it is a prefix: whole records (which parse) and at most
   * one partial one. A longer bad tail is damage, not a crash.
   */
  tornTailBytesMax: RECORD_HEADER_BYTES + RECORD_PAYLOAD_BYTES_MAX,
  /** Checksummed bytes the torn-tail scan may spend (≈ 0.1 s of CRC here) before it calls the tail corrupt. */
  tornScanHashBytesMax: 16 * 1024 * 1024,
} as const;

const FRAME_LIMITS: RecordLogLimits = {
  payloadBytesMin: LOG_LIMITS.recordPayloadBytesMin,
  payloadBytesMax: LOG_LIMITS.recordPayloadBytesMax,
  tornTailBytesMax: LOG_LIMITS.tornTailBytesMax,
  tornScanHashBytesMax: LOG_LIMITS.tornScanHashBytesMax,
};

export type LogScan = RecordScan<LedgerRecord>;

/**
 * Corruption in a ledger log: the hub stops rather than lose history. The message names the file, the offset
 * and both ways out (a backup, or --repair to keep the valid prefix).
 */
export class LedgerLogCorruptError extends Error {
  override readonly name = 'LedgerLogCorruptError';
  constructor(
    /** The log's path; undefined when bytes were parsed without a file. */
    readonly file: string | undefined,
    /** Byte offset of the first bad record. */
    readonly offset: number,
    readonly reason: string,
    /** Records before `offset`, all intact. */
    readonly intactRecords: number,
  ) {
    const name = file ?? 'ledger log';
    super(
      `${name} is corrupt at byte ${offset}: ${reason}. The ${intactRecords} records before byte ${offset} are intact. ` +
        `To recover, restore ${name} from a backup, or start the hub once with --repair to keep only those records ` +
        `(the damaged file is kept as ${file === undefined ? '<file>' : file}.corrupt-<n>; everything after byte ${offset} is dropped).`,
    );
  }
}

/**
 * Splits a log into its valid prefix and says what, if anything, stopped it (the torn-or-corrupt rule is
 * src/protocol/record-log.ts's, shared with the headless node's block logs).
 */
export function scanLog(bytes: Uint8Array): LogScan {
  return scanRecordLog(bytes, FRAME_LIMITS, decodeRecordPayload);
}

/** scanLog for callers without a repair path: a torn tail is left out of the records, corruption throws. */
export function parseLog(bytes: Uint8Array, file?: string): { records: LedgerRecord[]; validBytes: number } {
  const s = scanLog(bytes);
  if (s.damage?.kind === 'corrupt') throw new LedgerLogCorruptError(file, s.damage.offset, s.damage.reason, s.records.length);
  return { records: s.records, validBytes: s.validBytes };
}
