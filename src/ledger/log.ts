import { decodeAll, Writer } from '../protocol/codec';
import { DecodeError } from '../protocol/errors';
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
export const RECORD_HEADER_BYTES = 8;
export const RECORD_PAYLOAD_BYTES_MAX = LIMITS.transactionBytesMax + 64;

export function encodeRecord(r: LedgerRecord): Uint8Array {
  const w = new Writer();
  if (r.kind === 'booked') w.u8(BOOKED).u64(BigInt(r.atMs)).bytes(encodeTransaction(r.tx));
  else w.u8(CONFIRMED).u64(BigInt(r.atMs)).fixed(r.txId, TX_ID_SIZE);
  const payload = w.finish();
  const out = new Uint8Array(RECORD_HEADER_BYTES + payload.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, payload.length, true);
  v.setUint32(4, crc32(payload), true);
  out.set(payload, RECORD_HEADER_BYTES);
  return out;
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

/** Where a log stops being valid and why. */
export interface LogDamage {
  /** 'torn': a crash cut the last append short (safe to drop). 'corrupt': anything else (never dropped silently). */
  readonly kind: 'torn' | 'corrupt';
  /** Byte offset of the first bad record: the valid prefix ends here. */
  readonly offset: number;
  readonly reason: string;
}

export interface LogScan {
  /** The records of the valid prefix, in order. */
  readonly records: LedgerRecord[];
  /** Length of the valid prefix: where a torn tail is cut and appending continues. */
  readonly validBytes: number;
  readonly damage: LogDamage | undefined;
}

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

/** frameEnd's failures (negative, so any result >= 0 is the end of a good frame). */
const BAD_HEADER = -1;
const BAD_LENGTH = -2;
const BAD_PAST_END = -3;
const BAD_CHECKSUM = -4;

/**
 * Checks the framing (length in range, inside the file, checksum) of the record at `off`; does not decode.
 * Returns the record's end, or a BAD_* code: no strings or objects, because classify calls it at every byte.
 */
function frameEnd(bytes: Uint8Array, view: DataView, off: number): number {
  if (bytes.length - off < RECORD_HEADER_BYTES) return BAD_HEADER;
  const len = view.getUint32(off, true);
  if (len < LOG_LIMITS.recordPayloadBytesMin || len > LOG_LIMITS.recordPayloadBytesMax) return BAD_LENGTH;
  const end = off + RECORD_HEADER_BYTES + len;
  if (end > bytes.length) return BAD_PAST_END;
  if (crc32(bytes.subarray(off + RECORD_HEADER_BYTES, end)) !== view.getUint32(off + 4, true)) return BAD_CHECKSUM;
  return end;
}

function frameProblem(bytes: Uint8Array, view: DataView, off: number, code: number): string {
  if (code === BAD_HEADER) return `${bytes.length - off} bytes left, less than a record header`;
  const len = view.getUint32(off, true);
  if (code === BAD_LENGTH) return `record length ${len} is outside ${LOG_LIMITS.recordPayloadBytesMin}..${LOG_LIMITS.recordPayloadBytesMax}`;
  if (code === BAD_PAST_END) return `record length ${len} runs ${off + RECORD_HEADER_BYTES + len - bytes.length} bytes past the end of the file`;
  return 'record checksum mismatch';
}

/**
 * Torn write or corruption? A crash leaves a short bad tail with nothing valid after it. So a bad record is torn
 * only if (1) the bytes from it to the end are at most one record's worth, and (2) no well-framed record (length
 * in range, checksum right) starts at any byte after it. A bit flipped in a middle record's length or body fails
 * (2) — the records after it are still there — and, when the length now runs past the end, usually (1) too.
 * The scan in (2) covers at most one record's bytes thanks to (1). Most offsets fail on the length alone; the
 * checksums it does compute are capped (a transaction's data payload could be crafted so that many offsets look
 * like long records): past the cap the tail is called corrupt, the safe side (--repair still recovers).
 */
function classify(bytes: Uint8Array, view: DataView, off: number, reason: string): LogDamage {
  const tail = bytes.length - off;
  if (tail > LOG_LIMITS.tornTailBytesMax) return { kind: 'corrupt', offset: off, reason: `${reason}, and ${tail} bytes from there to the end of the file (more than a torn write can leave)` };
  let hashed = 0;
  for (let at = off + 1; at + RECORD_HEADER_BYTES + LOG_LIMITS.recordPayloadBytesMin <= bytes.length; at++) {
    const len = view.getUint32(at, true);
    if (len < LOG_LIMITS.recordPayloadBytesMin || len > LOG_LIMITS.recordPayloadBytesMax || at + RECORD_HEADER_BYTES + len > bytes.length) continue;
    hashed += len;
    if (hashed > LOG_LIMITS.tornScanHashBytesMax)
      return { kind: 'corrupt', offset: off, reason: `${reason}; the ${tail} bytes after it hold too many record-like lengths to rule out a valid record` };
    if (frameEnd(bytes, view, at) >= 0) return { kind: 'corrupt', offset: off, reason: `${reason}, and a valid record follows at byte ${at}` };
  }
  return { kind: 'torn', offset: off, reason };
}

/**
 * Splits a log into its valid prefix and says what, if anything, stopped it (see classify for torn vs corrupt).
 * A record whose checksum is right but that does not decode is corrupt wherever it is: a crash cannot write it.
 */
export function scanLog(bytes: Uint8Array): LogScan {
  const records: LedgerRecord[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = 0;
  while (off < bytes.length) {
    const end = frameEnd(bytes, view, off);
    if (end < 0) return { records, validBytes: off, damage: classify(bytes, view, off, frameProblem(bytes, view, off, end)) };
    try {
      records.push(decodeRecordPayload(bytes.subarray(off + RECORD_HEADER_BYTES, end)));
    } catch (e) {
      return { records, validBytes: off, damage: { kind: 'corrupt', offset: off, reason: `the record's checksum is right but it does not decode (${(e as Error).message})` } };
    }
    off = end;
  }
  return { records, validBytes: off, damage: undefined };
}

/** scanLog for callers without a repair path: a torn tail is left out of the records, corruption throws. */
export function parseLog(bytes: Uint8Array, file?: string): { records: LedgerRecord[]; validBytes: number } {
  const s = scanLog(bytes);
  if (s.damage?.kind === 'corrupt') throw new LedgerLogCorruptError(file, s.damage.offset, s.damage.reason, s.records.length);
  return { records: s.records, validBytes: s.validBytes };
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE): catches torn and bit-flipped records; not a defence against an attacker with the disk. */
export function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) c = (CRC_TABLE[(c ^ (b[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
