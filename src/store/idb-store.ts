import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { addressKey, requestIDKey, type ChainID, type RequestID } from '../protocol/ids';
import { toHex } from '../protocol/bytes';
import { decodeBlock, encodeBlock } from '../state/block';
import { applyMutations, packMutations, unpackMutations } from './mutations';
import type { Block, Mutation } from '../state/types';
import {
  StoreError,
  storedChainState,
  type BootupRecord,
  type NodeIdentity,
  type Registry,
  type RegistryKeyShare,
  type SolidStateStore,
  type StoredChainState,
} from '../state/store';
import { validateBootupRecord } from '../state/store-memory';

/**
 * IndexedDB solid-state store and registry: one database per node (`iscp-node/<name>`).
 *
 * Cost model (docs: measured-limits, a put ≈ 70–90 µs): a block is exactly TWO puts in ONE transaction, however
 * many requests it holds — the block record (serialized block + packed mutations + processed request IDs) and
 * the chain head (index, state hash, timestamp, anchor). The working state lives in memory; after a restart it is
 * rebuilt by replaying the chain's block records in order (one cursor pass), as is the processed-request set.
 * A torn write cannot happen: IndexedDB commits the transaction whole or not at all, and the in-memory copy
 * changes only after `tx.done`.
 */
export const IDB_SCHEMA_VERSION = 1;

interface BlockRecord {
  /** encodeBlock(block): the block with its updates (and their mutations) and anchor tx ID. */
  readonly block: Uint8Array;
  /** The net mutations applied to the state by this block, packed (see packMutations). */
  readonly mutations: Uint8Array;
  /** requestIDKey of each processed request. */
  readonly processed: readonly string[];
}

interface HeadRecord {
  readonly chainId: ChainID;
  readonly blockIndex: number;
  readonly stateHash: Uint8Array;
  readonly timestamp: bigint;
  readonly anchorTxId: Uint8Array;
}

interface NodeDB extends DBSchema {
  heads: { key: string; value: HeadRecord };
  /** Key: [chain addressKey, blockIndex]. */
  blocks: { key: [string, number]; value: BlockRecord };
  /** Registry: 'identity', 'bootup/<addressKey>', 'keyshare/<addressKey>'. Values are structured-cloned. */
  registry: { key: string; value: unknown };
  /** Free-form small records of the host (e.g. the wallet seed): not part of the store interfaces. */
  meta: { key: string; value: unknown };
}

export type NodeDatabase = IDBPDatabase<NodeDB>;

export function nodeDatabaseName(nodeName: string): string {
  return `iscp-node/${nodeName}`;
}

export async function openNodeDatabase(nodeName: string): Promise<NodeDatabase> {
  return openDB<NodeDB>(nodeDatabaseName(nodeName), IDB_SCHEMA_VERSION, {
    upgrade(db) {
      db.createObjectStore('heads');
      db.createObjectStore('blocks');
      db.createObjectStore('registry');
      db.createObjectStore('meta');
    },
  });
}

interface ChainCache {
  head: HeadRecord | null;
  kv: Map<string, Uint8Array>;
  processed: Set<string>;
}

export class IdbSolidStateStore implements SolidStateStore {
  private readonly chains = new Map<string, Promise<ChainCache>>();
  /** Commits of one chain are serialized so the head check and the write cannot interleave. */
  private readonly commitChain = new Map<string, Promise<unknown>>();

  constructor(private readonly db: NodeDatabase) {}

  async loadChain(chainId: ChainID): Promise<StoredChainState | null> {
    const c = await this.cache(chainId);
    return c.head ? storedChainState(chainId, c.head, c.kv) : null;
  }

  commitBlock(chainId: ChainID, block: Block, mutations: readonly Mutation[], newStateHash: Uint8Array, processedRequestIds: readonly RequestID[]): Promise<void> {
    const key = addressKey(chainId);
    const prev = this.commitChain.get(key) ?? Promise.resolve();
    const run = prev.catch(() => undefined).then(() => this.doCommit(chainId, block, mutations, newStateHash, processedRequestIds));
    this.commitChain.set(key, run);
    return run;
  }

  private async doCommit(chainId: ChainID, block: Block, mutations: readonly Mutation[], newStateHash: Uint8Array, processedRequestIds: readonly RequestID[]): Promise<void> {
    if (newStateHash.length !== 32) throw new StoreError('bad-argument', `state hash must be 32 bytes, got ${newStateHash.length}`);
    for (const m of mutations) if (m.key.length === 0) throw new StoreError('bad-argument', 'mutation with empty key');
    const key = addressKey(chainId);
    const c = await this.cache(chainId);
    const expected = c.head ? c.head.blockIndex + 1 : 1;
    if (block.blockIndex !== expected) throw new StoreError('non-sequential-block', `chain expects block #${expected}, got #${block.blockIndex}`);
    // Serialize before the transaction opens: an IndexedDB transaction auto-commits if we await anything else.
    const rec: BlockRecord = { block: encodeBlock(block), mutations: packMutations(mutations), processed: processedRequestIds.map(requestIDKey) };
    const head: HeadRecord = {
      chainId: { kind: chainId.kind, digest: chainId.digest.slice() },
      blockIndex: block.blockIndex,
      stateHash: newStateHash.slice(),
      timestamp: block.timestamp,
      anchorTxId: block.anchorTxId.slice(),
    };
    try {
      const tx = this.db.transaction(['blocks', 'heads'], 'readwrite', { durability: 'relaxed' });
      void tx.objectStore('blocks').put(rec, [key, block.blockIndex]);
      void tx.objectStore('heads').put(head, key);
      await tx.done;
    } catch (e) {
      throw new StoreError('io', `IndexedDB commit of block #${block.blockIndex} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    // Only now, with the write durable, does the in-memory working state move.
    applyMutations(c.kv, mutations);
    for (const id of rec.processed) c.processed.add(id);
    c.head = head;
  }

  async getBlock(chainId: ChainID, blockIndex: number): Promise<Block | null> {
    if (!Number.isInteger(blockIndex) || blockIndex < 1) return null;
    const rec = await this.db.get('blocks', [addressKey(chainId), blockIndex]);
    return rec ? unpackBlock(rec.block) : null;
  }

  async isRequestProcessed(chainId: ChainID, requestId: RequestID): Promise<boolean> {
    return (await this.cache(chainId)).processed.has(requestIDKey(requestId));
  }

  /** Serialized with the chain's commits: the head and every block record go in one transaction. */
  resetChain(chainId: ChainID): Promise<void> {
    const key = addressKey(chainId);
    const prev = this.commitChain.get(key) ?? Promise.resolve();
    const run = prev.catch(() => undefined).then(async () => {
      try {
        const tx = this.db.transaction(['blocks', 'heads'], 'readwrite');
        void tx.objectStore('blocks').delete(IDBKeyRange.bound([key, 0], [key, Infinity]));
        void tx.objectStore('heads').delete(key);
        await tx.done;
      } catch (e) {
        throw new StoreError('io', `IndexedDB reset of chain ${key} failed: ${e instanceof Error ? e.message : String(e)}`);
      }
      this.chains.set(key, Promise.resolve({ head: null, kv: new Map(), processed: new Set() }));
    });
    this.commitChain.set(key, run);
    return run;
  }

  /** Loads (once) a chain's working state: the head, then one ordered cursor pass over its block records. */
  private cache(chainId: ChainID): Promise<ChainCache> {
    const key = addressKey(chainId);
    let p = this.chains.get(key);
    if (!p) {
      p = this.loadCache(key);
      this.chains.set(key, p);
      p.catch(() => this.chains.delete(key));
    }
    return p;
  }

  private async loadCache(key: string): Promise<ChainCache> {
    const tx = this.db.transaction(['heads', 'blocks'], 'readonly');
    const head = (await tx.objectStore('heads').get(key)) ?? null;
    const c: ChainCache = { head, kv: new Map(), processed: new Set() };
    if (!head) return c;
    let cursor = await tx.objectStore('blocks').openCursor(IDBKeyRange.bound([key, 1], [key, head.blockIndex]));
    let expected = 1;
    while (cursor) {
      const rec = cursor.value;
      const idx = (cursor.key as [string, number])[1];
      // Assert the negative space: a gap would mean a lost block, which the one-transaction commit forbids.
      if (idx !== expected) throw new StoreError('io', `chain ${key}: block #${expected} missing in IndexedDB (found #${idx})`);
      applyMutations(c.kv, unpackMutations(rec.mutations));
      for (const id of rec.processed) c.processed.add(id);
      expected++;
      cursor = await cursor.continue();
    }
    if (expected !== head.blockIndex + 1) throw new StoreError('io', `chain ${key}: head says #${head.blockIndex} but blocks end at #${expected - 1}`);
    return c;
  }
}

export class IdbRegistry implements Registry {
  constructor(private readonly db: NodeDatabase) {}

  async getNodeIdentity(): Promise<NodeIdentity | null> {
    return ((await this.db.get('registry', 'identity')) as NodeIdentity | undefined) ?? null;
  }
  async putNodeIdentity(identity: NodeIdentity): Promise<void> {
    await this.db.put('registry', { publicKey: identity.publicKey.slice(), secretKey: identity.secretKey.slice() }, 'identity');
  }
  async listBootupRecords(): Promise<BootupRecord[]> {
    const range = IDBKeyRange.bound('bootup/', 'bootup/\uffff');
    return (await this.db.getAll('registry', range)) as BootupRecord[];
  }
  async getBootupRecord(chainAddress: ChainID): Promise<BootupRecord | null> {
    return ((await this.db.get('registry', `bootup/${addressKey(chainAddress)}`)) as BootupRecord | undefined) ?? null;
  }
  async putBootupRecord(record: BootupRecord): Promise<void> {
    validateBootupRecord(record);
    await this.db.put('registry', record, `bootup/${addressKey(record.chainAddress)}`);
  }
  async removeBootupRecord(chainAddress: ChainID): Promise<void> {
    await this.db.delete('registry', `bootup/${addressKey(chainAddress)}`);
  }
  async getKeyShare(chainAddress: ChainID): Promise<RegistryKeyShare | null> {
    return ((await this.db.get('registry', `keyshare/${addressKey(chainAddress)}`)) as RegistryKeyShare | undefined) ?? null;
  }
  async putKeyShare(chainAddress: ChainID, share: RegistryKeyShare): Promise<void> {
    await this.db.put('registry', share, `keyshare/${addressKey(chainAddress)}`);
  }
}

/** Opens a node's database and returns its store and registry (they share the connection). */
export async function openIdbNodeStore(nodeName: string): Promise<{ db: NodeDatabase; store: IdbSolidStateStore; registry: IdbRegistry }> {
  const db = await openNodeDatabase(nodeName);
  return { db, store: new IdbSolidStateStore(db), registry: new IdbRegistry(db) };
}

/* ------------------------------------------------------------------ packing (pure: mutations.ts) */

export { packMutations, unpackMutations };

/**
 * Reads back what encodeBlock wrote, strictly (bounds, shape, timestamps): IndexedDB is writable by anything in the
 * page's origin, so a record is input like any other (a bad one throws; the node then refuses the store).
 */
export const unpackBlock = decodeBlock;
