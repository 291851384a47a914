import { mkdirSync } from 'node:fs';
import { open, readFile, rename, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { addressKey, requestIDKey, type ChainID, type RequestID } from '../protocol/ids';
import { crc32, encodeLogRecord, RECORD_HEADER_BYTES, scanRecordLog } from '../protocol/record-log';
import { STATE_LIMITS } from '../state/vstate-limits';
import { StoreError, storedChainState, type SolidStateStore, type StoredChainState } from '../state/store';
import type { Block, Mutation } from '../state/types';
import { BLOCK_LOG_LIMITS, decodeLogEntry, encodeBlockRecord, encodeHeader, logOrderProblem, type LogEntry } from './file-records';
import { applyMutations } from './mutations';
import { syncDir, writeFileAtomic } from './file-util';
import { FileRegistry } from './file-registry';

/**
 * File-backed solid-state store (Node: the headless node, `iscp node run`). One append-only log per chain,
 * `<dir>/<addressKey>.blocks`: a header record, then one record per block (file-records.ts), each framed
 * length ‖ CRC-32 (src/protocol/record-log.ts). A commit is ONE append followed by fsync, and memory moves only
 * after the fsync: a crash leaves either the whole block or a torn tail, which reopening cuts off (the commit never
 * resolved, so nothing acknowledged is lost). Damage anywhere else is StoreError 'corrupt' naming the file and
 * offset; the node then refuses the stored chain and syncs it from its committee (verifyStoredChain's path).
 * A log is created whole (header + block #1) under a temporary name and renamed into place.
 * Working state and processed-request set live in memory, rebuilt by one pass over the log on first use, like the
 * IndexedDB store; getBlock reads one record at its remembered offset.
 */
export interface FileStoreNote {
  readonly file: string;
  readonly text: string;
}

interface ChainLog {
  readonly path: string;
  fh: FileHandle | null;
  /** Bytes of the valid log: where the next append goes. */
  size: number;
  head: { blockIndex: number; stateHash: Uint8Array; timestamp: bigint; anchorTxId: Uint8Array } | null;
  kv: Map<string, Uint8Array>;
  processed: Set<string>;
  /** [offset, length] of each block's record payload; index 0 = block #1. */
  offsets: Array<readonly [number, number]>;
}

export class FileSolidStateStore implements SolidStateStore {
  private readonly chains = new Map<string, Promise<ChainLog>>();
  /** Commits and resets of one chain run one at a time, so the head check and the append cannot interleave. */
  private readonly queue = new Map<string, Promise<unknown>>();
  private closed = false;

  /** `onNote` hears what reopening had to do (a torn tail cut off), once per chain. */
  constructor(
    readonly dir: string,
    private readonly onNote: (n: FileStoreNote) => void = () => undefined,
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  async loadChain(chainId: ChainID): Promise<StoredChainState | null> {
    const c = await this.log(chainId);
    return c.head ? storedChainState(chainId, c.head, c.kv) : null;
  }

  commitBlock(chainId: ChainID, block: Block, mutations: readonly Mutation[], newStateHash: Uint8Array, processedRequestIds: readonly RequestID[]): Promise<void> {
    return this.serial(chainId, () => this.doCommit(chainId, block, mutations, newStateHash, processedRequestIds));
  }

  async getBlock(chainId: ChainID, blockIndex: number): Promise<Block | null> {
    if (!Number.isInteger(blockIndex) || blockIndex < 1) return null;
    const c = await this.log(chainId);
    const at = c.offsets[blockIndex - 1];
    if (!at || !c.fh) return null;
    // The record is read with its frame and checked again: the file may have been changed since it was opened.
    const start = at[0] - RECORD_HEADER_BYTES;
    const buf = new Uint8Array(RECORD_HEADER_BYTES + at[1]);
    const { bytesRead } = await c.fh.read(buf, 0, buf.length, start);
    const view = new DataView(buf.buffer);
    const payload = buf.subarray(RECORD_HEADER_BYTES);
    if (bytesRead !== buf.length || view.getUint32(0, true) !== at[1] || view.getUint32(4, true) !== crc32(payload))
      throw new StoreError('corrupt', `${c.path}: the record of block #${blockIndex} at byte ${start} changed on disk since the log was opened`);
    const e = this.decodeAt(c.path, payload, start);
    if (e.kind !== 'block' || e.block.blockIndex !== blockIndex) throw new StoreError('corrupt', `${c.path}: the record at byte ${at[0]} is not block #${blockIndex}`);
    return e.block;
  }

  async isRequestProcessed(chainId: ChainID, requestId: RequestID): Promise<boolean> {
    return (await this.log(chainId)).processed.has(requestIDKey(requestId));
  }

  /** The log is renamed aside (`….blocks.discarded`, replacing an older one), not deleted: evidence is kept. */
  resetChain(chainId: ChainID): Promise<void> {
    return this.serial(chainId, async () => {
      const key = addressKey(chainId);
      const c = await this.log(chainId).catch(() => null); // a corrupt log is exactly what gets reset
      const path = this.pathOf(key);
      try {
        await c?.fh?.close();
        await rename(path, `${path}.discarded`).catch((e: NodeJS.ErrnoException) => {
          if (e.code !== 'ENOENT') throw e;
        });
        await syncDir(this.dir);
      } catch (e) {
        throw new StoreError('io', `reset of ${path} failed: ${(e as Error).message}`);
      }
      this.chains.set(key, Promise.resolve(emptyLog(path)));
    });
  }

  /** Closes every log (a commit in flight finishes first). The store refuses further use. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.queue.values()]);
    for (const p of this.chains.values()) await (await p.catch(() => null))?.fh?.close().catch(() => undefined);
    this.chains.clear();
  }

  private pathOf(key: string): string {
    return join(this.dir, `${key}.blocks`);
  }

  private serial<T>(chainId: ChainID, f: () => Promise<T>): Promise<T> {
    const key = addressKey(chainId);
    const run = (this.queue.get(key) ?? Promise.resolve()).catch(() => undefined).then(f);
    this.queue.set(key, run);
    return run;
  }

  private async doCommit(chainId: ChainID, block: Block, mutations: readonly Mutation[], newStateHash: Uint8Array, processed: readonly RequestID[]): Promise<void> {
    if (newStateHash.length !== 32) throw new StoreError('bad-argument', `state hash must be 32 bytes, got ${newStateHash.length}`);
    for (const m of mutations) if (m.key.length === 0) throw new StoreError('bad-argument', 'mutation with empty key');
    // What decodeLogEntry would refuse on reopen is refused now: a record is never written that cannot be read.
    if (processed.length > STATE_LIMITS.updatesPerBlockMax) throw new StoreError('bad-argument', `${processed.length} processed requests in one block`);
    const c = await this.log(chainId);
    const expected = c.head ? c.head.blockIndex + 1 : 1;
    if (block.blockIndex !== expected) throw new StoreError('non-sequential-block', `chain expects block #${expected}, got #${block.blockIndex}`);
    const payload = encodeBlockRecord({ block, mutations: [...mutations], stateHash: newStateHash, processed: [...processed] });
    if (payload.length > BLOCK_LOG_LIMITS.payloadBytesMax) throw new StoreError('bad-argument', `block #${block.blockIndex} is ${payload.length} bytes, over ${BLOCK_LOG_LIMITS.payloadBytesMax}`);
    const rec = encodeLogRecord(payload);
    let offset: number;
    if (!c.fh) {
      // A new log: header and block #1 written to a temporary file, synced, then renamed into place.
      const header = encodeLogRecord(encodeHeader(chainId));
      const whole = new Uint8Array(header.length + rec.length);
      whole.set(header);
      whole.set(rec, header.length);
      try {
        await writeFileAtomic(c.path, whole);
        c.fh = await open(c.path, 'r+');
      } catch (e) {
        throw new StoreError('io', `creating ${c.path} failed: ${(e as Error).message}`);
      }
      offset = header.length;
    } else {
      offset = c.size;
      try {
        await writeAll(c.fh, rec, c.size);
        await c.fh.sync();
      } catch (e) {
        // Cut a partial append off again, so the next append does not land after garbage.
        await c.fh.truncate(c.size).catch(() => undefined);
        throw new StoreError('io', `appending block #${block.blockIndex} to ${c.path} failed: ${(e as Error).message}`);
      }
    }
    // Only now, with the block durable, does the in-memory working state move.
    c.size = offset + rec.length;
    c.offsets.push([offset + RECORD_HEADER_BYTES, payload.length]);
    applyMutations(c.kv, mutations);
    for (const id of processed) c.processed.add(requestIDKey(id));
    c.head = { blockIndex: block.blockIndex, stateHash: newStateHash.slice(), timestamp: block.timestamp, anchorTxId: block.anchorTxId.slice() };
  }

  private log(chainId: ChainID): Promise<ChainLog> {
    if (this.closed) return Promise.reject(new StoreError('io', `the store in ${this.dir} is closed`));
    const key = addressKey(chainId);
    let p = this.chains.get(key);
    if (!p) {
      p = this.openLog(chainId, this.pathOf(key));
      this.chains.set(key, p);
      p.catch(() => this.chains.delete(key));
    }
    return p;
  }

  /** Reads and checks the whole log once: torn tail cut off (and said), anything else refused. */
  private async openLog(chainId: ChainID, path: string): Promise<ChainLog> {
    let raw: Buffer;
    try {
      raw = await readFile(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return emptyLog(path);
      throw new StoreError('io', `reading ${path} failed: ${(e as Error).message}`);
    }
    const bytes = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
    const offsets: Array<readonly [number, number]> = [];
    const scan = scanRecordLog(bytes, BLOCK_LOG_LIMITS, (payload) => {
      const e = decodeLogEntry(payload);
      offsets.push([payload.byteOffset - bytes.byteOffset, payload.length]);
      return e;
    });
    if (scan.damage?.kind === 'corrupt') throw new StoreError('corrupt', `${path} is corrupt at byte ${scan.damage.offset}: ${scan.damage.reason} (${scan.records.length} records before it are intact)`);
    const order = logOrderProblem(scan.records, chainId);
    if (order) throw new StoreError('corrupt', `${path}: ${order}`);
    if (scan.records.length === 0 && bytes.length > 0) throw new StoreError('corrupt', `${path} has no readable header (${scan.damage?.reason ?? 'empty'})`);
    const fh = await open(path, 'r+');
    if (scan.damage) {
      await fh.truncate(scan.validBytes);
      await fh.sync();
      this.onNote({ file: path, text: `cut off a torn last write (${bytes.length - scan.validBytes} bytes at byte ${scan.damage.offset}: ${scan.damage.reason})` });
    }
    const c: ChainLog = { path, fh, size: scan.validBytes, head: null, kv: new Map(), processed: new Set(), offsets: offsets.slice(1) };
    for (const e of scan.records) {
      if (e.kind !== 'block') continue;
      applyMutations(c.kv, e.mutations);
      for (const id of e.processed) c.processed.add(requestIDKey(id));
      c.head = { blockIndex: e.block.blockIndex, stateHash: e.stateHash, timestamp: e.block.timestamp, anchorTxId: e.block.anchorTxId };
    }
    return c;
  }

  private decodeAt(path: string, payload: Uint8Array, offset: number): LogEntry {
    try {
      return decodeLogEntry(payload);
    } catch (e) {
      throw new StoreError('corrupt', `${path}: the record at byte ${offset} does not decode (${(e as Error).message})`);
    }
  }
}

function emptyLog(path: string): ChainLog {
  return { path, fh: null, size: 0, head: null, kv: new Map(), processed: new Set(), offsets: [] };
}

async function writeAll(fh: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < bytes.length; ) {
    const { bytesWritten } = await fh.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}

/**
 * A node's data folder: `<dir>/chains/<addressKey>.blocks` (FileSolidStateStore) and `<dir>/registry.json`
 * (FileRegistry). The registry is read now (a damaged one throws StoreError 'corrupt'); chain logs on first use.
 */
export interface FileNodeStore {
  readonly store: FileSolidStateStore;
  readonly registry: FileRegistry;
  close(): Promise<void>;
}

export function openFileNodeStore(dir: string, onNote?: (n: FileStoreNote) => void): FileNodeStore {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const registry = new FileRegistry(join(dir, 'registry.json'));
  const store = new FileSolidStateStore(join(dir, 'chains'), onNote);
  return {
    store,
    registry,
    async close() {
      await store.close();
      await registry.close();
    },
  };
}
