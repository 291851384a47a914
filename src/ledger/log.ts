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

export class LedgerLogCorruptError extends Error {
  override readonly name = 'LedgerLogCorruptError';
}

/**
 * Splits a log into records. A damaged *last* record (cut short, or its checksum wrong with nothing after it) is
 * a torn write from a crash: it is dropped and `validBytes` says where the good part ends. Damage with good
 * records after it is not a torn write: that is corruption, and we stop rather than guess.
 */
export function parseLog(bytes: Uint8Array): { records: LedgerRecord[]; validBytes: number } {
  const records: LedgerRecord[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = 0;
  while (off < bytes.length) {
    if (bytes.length - off < RECORD_HEADER_BYTES) break; // torn header
    const len = view.getUint32(off, true);
    const sum = view.getUint32(off + 4, true);
    const end = off + RECORD_HEADER_BYTES + len;
    if (len > RECORD_PAYLOAD_BYTES_MAX || end > bytes.length) {
      if (len > RECORD_PAYLOAD_BYTES_MAX && end <= bytes.length) throw new LedgerLogCorruptError(`record at byte ${off} claims ${len} bytes`);
      break; // torn: the record runs past the end of the file
    }
    const payload = bytes.subarray(off + RECORD_HEADER_BYTES, end);
    if (crc32(payload) !== sum) {
      if (end === bytes.length) break; // torn last record
      throw new LedgerLogCorruptError(`checksum mismatch in the record at byte ${off}, with ${bytes.length - end} bytes after it`);
    }
    try {
      records.push(decodeRecordPayload(payload));
    } catch (e) {
      throw new LedgerLogCorruptError(`record at byte ${off} does not decode: ${(e as Error).message}`);
    }
    off = end;
  }
  return { records, validBytes: off };
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
