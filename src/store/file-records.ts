import { decodeAll, Writer } from '../protocol/codec';
import { DecodeError } from '../protocol/errors';
import { HASH_SIZE } from '../protocol/hash';
import { addressEquals, readAddress, readRequestID, writeAddress, writeRequestID, type ChainID, type RequestID } from '../protocol/ids';
import { RECORD_HEADER_BYTES, type RecordLogLimits } from '../protocol/record-log';
import { decodeBlockUnchecked, encodeBlock } from '../state/block';
import type { Block, Mutation } from '../state/types';
import { STATE_LIMITS } from '../state/vstate-limits';
import { packMutations, unpackMutations } from './mutations';

/**
 * Pure: the records of a chain's block log (file-store.ts). The log's first record is a header naming the chain
 * (so a log copied under another chain's name is refused); every later record is one whole block — the block,
 * its net mutations, the state hash after it and the requests it processed — so one append commits one block and
 * the chain head is simply the last record.
 */
export const BLOCK_LOG_MAGIC = new TextEncoder().encode('ISCPBLK1');

const TAG_HEADER = 0;
const TAG_BLOCK = 1;

/** The largest block record: a block of wasm blobs plus its mutations. Generous, but bounded before allocating. */
const BLOCK_RECORD_BYTES_MAX = 64 * 1024 * 1024;

export const BLOCK_LOG_LIMITS: RecordLogLimits = {
  // The header is the smallest record (tag, magic, address): shorter is not a record at all.
  payloadBytesMin: 1 + BLOCK_LOG_MAGIC.length + 1 + HASH_SIZE,
  payloadBytesMax: BLOCK_RECORD_BYTES_MAX,
  tornTailBytesMax: RECORD_HEADER_BYTES + BLOCK_RECORD_BYTES_MAX,
  tornScanHashBytesMax: 16 * 1024 * 1024,
};

export interface BlockLogRecord {
  readonly block: Block;
  readonly mutations: Mutation[];
  readonly stateHash: Uint8Array;
  readonly processed: RequestID[];
}

export type LogEntry = { readonly kind: 'header'; readonly chainId: ChainID } | ({ readonly kind: 'block' } & BlockLogRecord);

export function encodeHeader(chainId: ChainID): Uint8Array {
  const w = new Writer().u8(TAG_HEADER).fixed(BLOCK_LOG_MAGIC, BLOCK_LOG_MAGIC.length);
  writeAddress(w, chainId);
  return w.finish();
}

export function encodeBlockRecord(r: BlockLogRecord): Uint8Array {
  const w = new Writer().u8(TAG_BLOCK).fixed(r.stateHash, HASH_SIZE).bytes(encodeBlock(r.block)).bytes(packMutations(r.mutations));
  w.u32(r.processed.length);
  for (const id of r.processed) writeRequestID(w, id);
  return w.finish();
}

/** Strict (bounds, tags, no trailing bytes): the file is input like any other. Throws DecodeError. */
export function decodeLogEntry(payload: Uint8Array): LogEntry {
  return decodeAll(payload, 'block log record', (r): LogEntry => {
    const at = r.offset;
    const tag = r.u8('record tag');
    if (tag === TAG_HEADER) {
      const magic = r.fixed(BLOCK_LOG_MAGIC.length, 'magic');
      if (!magic.every((b, i) => b === BLOCK_LOG_MAGIC[i])) throw new DecodeError('not an ISCP block log (bad magic)', at + 1);
      return { kind: 'header', chainId: readAddress(r) };
    }
    if (tag !== TAG_BLOCK) throw new DecodeError(`unknown record tag ${tag}`, at);
    const stateHash = r.fixed(HASH_SIZE, 'state hash');
    // Codec bounds only: a store hands back the block it was given; the node checks its shape and hash chain on
    // reload (verifyStoredChain).
    const block = decodeBlockUnchecked(r.bytes(BLOCK_RECORD_BYTES_MAX, 'block'));
    const mutations = unpackMutations(r.bytes(BLOCK_RECORD_BYTES_MAX, 'mutations'));
    const n = r.count(STATE_LIMITS.updatesPerBlockMax, 'processed requests');
    const processed: RequestID[] = [];
    for (let i = 0; i < n; i++) processed.push(readRequestID(r));
    return { kind: 'block', block, mutations, stateHash, processed };
  });
}

/**
 * The order rule of a log, checked on reopen: a header for this chain, then blocks #1, #2, … without a gap. A log
 * that breaks it was not written by this store (appends are sequential by construction). Returns the problem.
 */
export function logOrderProblem(entries: readonly LogEntry[], chainId: ChainID): string | null {
  const [first, ...rest] = entries;
  if (!first) return null;
  if (first.kind !== 'header') return 'the first record is not the log header';
  if (!addressEquals(first.chainId, chainId)) return 'the header names another chain';
  for (let i = 0; i < rest.length; i++) {
    const e = rest[i] as LogEntry;
    if (e.kind !== 'block') return `record ${i + 1} is a second header`;
    if (e.block.blockIndex !== i + 1) return `record ${i + 1} holds block #${e.block.blockIndex}, expected #${i + 1}`;
  }
  return null;
}
