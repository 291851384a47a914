/**
 * Append-only record logs, pure part: framing and the torn-write-or-corruption rule, shared by the hub's ledger log
 * (src/ledger/log.ts) and the headless node's block logs (src/store/file-store.ts). A record is
 * u32 LE payload length ‖ u32 LE CRC-32 of the payload ‖ payload. What a payload means is the caller's.
 */
export const RECORD_HEADER_BYTES = 8;

/** Bounds of one log format. `payloadBytesMin` must exceed 0: it keeps a zero-filled tail from passing as a record. */
export interface RecordLogLimits {
  readonly payloadBytesMin: number;
  readonly payloadBytesMax: number;
  /**
   * The largest damaged tail still taken for a torn write. Every append is fsynced before the next, so a crash
   * tears only the last append, and what a crash leaves of it is a prefix: whole records and at most one partial
   * one. A longer bad tail is damage, not a crash.
   */
  readonly tornTailBytesMax: number;
  /** Checksummed bytes the torn-tail scan may spend before it calls the tail corrupt. */
  readonly tornScanHashBytesMax: number;
}

/** Where a log stops being valid and why. */
export interface LogDamage {
  /** 'torn': a crash cut the last append short (safe to drop). 'corrupt': anything else (never dropped silently). */
  readonly kind: 'torn' | 'corrupt';
  /** Byte offset of the first bad record: the valid prefix ends here. */
  readonly offset: number;
  readonly reason: string;
}

export interface RecordScan<T> {
  /** The records of the valid prefix, in order. */
  readonly records: T[];
  /** Length of the valid prefix: where a torn tail is cut and appending continues. */
  readonly validBytes: number;
  readonly damage: LogDamage | undefined;
}

export function encodeLogRecord(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(RECORD_HEADER_BYTES + payload.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, payload.length, true);
  v.setUint32(4, crc32(payload), true);
  out.set(payload, RECORD_HEADER_BYTES);
  return out;
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
function frameEnd(bytes: Uint8Array, view: DataView, off: number, lim: RecordLogLimits): number {
  if (bytes.length - off < RECORD_HEADER_BYTES) return BAD_HEADER;
  const len = view.getUint32(off, true);
  if (len < lim.payloadBytesMin || len > lim.payloadBytesMax) return BAD_LENGTH;
  const end = off + RECORD_HEADER_BYTES + len;
  if (end > bytes.length) return BAD_PAST_END;
  if (crc32(bytes.subarray(off + RECORD_HEADER_BYTES, end)) !== view.getUint32(off + 4, true)) return BAD_CHECKSUM;
  return end;
}

function frameProblem(bytes: Uint8Array, view: DataView, off: number, code: number, lim: RecordLogLimits): string {
  if (code === BAD_HEADER) return `${bytes.length - off} bytes left, less than a record header`;
  const len = view.getUint32(off, true);
  if (code === BAD_LENGTH) return `record length ${len} is outside ${lim.payloadBytesMin}..${lim.payloadBytesMax}`;
  if (code === BAD_PAST_END) return `record length ${len} runs ${off + RECORD_HEADER_BYTES + len - bytes.length} bytes past the end of the file`;
  return 'record checksum mismatch';
}

/**
 * Torn write or corruption? A crash leaves a short bad tail with nothing valid after it. So a bad record is torn
 * only if (1) the bytes from it to the end are at most one record's worth, and (2) no well-framed record (length
 * in range, checksum right) starts at any byte after it. A bit flipped in a middle record's length or body fails
 * (2) — the records after it are still there — and, when the length now runs past the end, usually (1) too.
 * The scan in (2) covers at most one record's bytes thanks to (1). Most offsets fail on the length alone; the
 * checksums it does compute are capped (a payload could be crafted so that many offsets look like long records):
 * past the cap the tail is called corrupt, the safe side.
 */
function classify(bytes: Uint8Array, view: DataView, off: number, reason: string, lim: RecordLogLimits): LogDamage {
  const tail = bytes.length - off;
  if (tail > lim.tornTailBytesMax) return { kind: 'corrupt', offset: off, reason: `${reason}, and ${tail} bytes from there to the end of the file (more than a torn write can leave)` };
  let hashed = 0;
  for (let at = off + 1; at + RECORD_HEADER_BYTES + lim.payloadBytesMin <= bytes.length; at++) {
    const len = view.getUint32(at, true);
    if (len < lim.payloadBytesMin || len > lim.payloadBytesMax || at + RECORD_HEADER_BYTES + len > bytes.length) continue;
    hashed += len;
    if (hashed > lim.tornScanHashBytesMax) return { kind: 'corrupt', offset: off, reason: `${reason}; the ${tail} bytes after it hold too many record-like lengths to rule out a valid record` };
    if (frameEnd(bytes, view, at, lim) >= 0) return { kind: 'corrupt', offset: off, reason: `${reason}, and a valid record follows at byte ${at}` };
  }
  return { kind: 'torn', offset: off, reason };
}

/**
 * Splits a log into its valid prefix and says what, if anything, stopped it (see classify for torn vs corrupt).
 * A record whose checksum is right but that `decode` refuses is corrupt wherever it is: a crash cannot write it.
 */
export function scanRecordLog<T>(bytes: Uint8Array, lim: RecordLogLimits, decode: (payload: Uint8Array) => T): RecordScan<T> {
  const records: T[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = 0;
  while (off < bytes.length) {
    const end = frameEnd(bytes, view, off, lim);
    if (end < 0) return { records, validBytes: off, damage: classify(bytes, view, off, frameProblem(bytes, view, off, end, lim), lim) };
    try {
      records.push(decode(bytes.subarray(off + RECORD_HEADER_BYTES, end)));
    } catch (e) {
      return { records, validBytes: off, damage: { kind: 'corrupt', offset: off, reason: `the record's checksum is right but it does not decode (${(e as Error).message})` } };
    }
    off = end;
  }
  return { records, validBytes: off, damage: undefined };
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
