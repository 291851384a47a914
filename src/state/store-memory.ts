import { addressKey, requestIDKey, type ChainID, type RequestID } from '../protocol/ids';
import { toHex } from '../protocol/bytes';
import type { Block, Mutation } from './types';
import {
  StoreError,
  storedChainState,
  type BootupRecord,
  type NodeIdentity,
  type Registry,
  type RegistryKeyShare,
  type SolidStateStore,
  type StoredChainState,
} from './store';

interface ChainRecord {
  blockIndex: number;
  stateHash: Uint8Array;
  timestamp: bigint;
  anchorTxId: Uint8Array;
  kv: Map<string, Uint8Array>;
  blocks: Block[];
  processed: Set<string>;
}

/**
 * In-memory solid-state store: used by Node tests and the simulator (a "crashed" node restarts from the same
 * instance, which models a durable disk). Values are copied in and out so callers cannot alias stored bytes.
 */
export class MemorySolidStateStore implements SolidStateStore {
  private readonly chains = new Map<string, ChainRecord>();

  async loadChain(chainId: ChainID): Promise<StoredChainState | null> {
    const c = this.chains.get(addressKey(chainId));
    return c ? storedChainState(chainId, c, c.kv) : null;
  }

  async commitBlock(
    chainId: ChainID,
    block: Block,
    mutations: readonly Mutation[],
    newStateHash: Uint8Array,
    processedRequestIds: readonly RequestID[],
  ): Promise<void> {
    if (newStateHash.length !== 32) throw new StoreError('bad-argument', `state hash must be 32 bytes, got ${newStateHash.length}`);
    const key = addressKey(chainId);
    const c = this.chains.get(key);
    const expected = c ? c.blockIndex + 1 : 1;
    if (block.blockIndex !== expected)
      throw new StoreError('non-sequential-block', `chain expects block #${expected}, got #${block.blockIndex}`);
    // Validate everything before touching the record: the write is all-or-nothing.
    for (const m of mutations) if (m.key.length === 0) throw new StoreError('bad-argument', 'mutation with empty key');
    const rec: ChainRecord = c ?? { blockIndex: -1, stateHash: newStateHash, timestamp: 0n, anchorTxId: block.anchorTxId, kv: new Map(), blocks: [], processed: new Set() };
    for (const m of mutations) {
      if (m.kind === 'set') rec.kv.set(toHex(m.key), m.value.slice());
      else rec.kv.delete(toHex(m.key));
    }
    rec.blocks.push(cloneBlock(block));
    for (const id of processedRequestIds) rec.processed.add(requestIDKey(id));
    rec.blockIndex = block.blockIndex;
    rec.stateHash = newStateHash.slice();
    rec.timestamp = block.timestamp;
    rec.anchorTxId = block.anchorTxId.slice();
    this.chains.set(key, rec);
  }

  async getBlock(chainId: ChainID, blockIndex: number): Promise<Block | null> {
    const b = this.chains.get(addressKey(chainId))?.blocks[blockIndex - 1]; // blocks[0] holds block #1
    return b ? cloneBlock(b) : null;
  }

  async isRequestProcessed(chainId: ChainID, requestId: RequestID): Promise<boolean> {
    return this.chains.get(addressKey(chainId))?.processed.has(requestIDKey(requestId)) ?? false;
  }

  async resetChain(chainId: ChainID): Promise<void> {
    this.chains.delete(addressKey(chainId));
  }
}

function cloneBlock(b: Block): Block {
  return {
    blockIndex: b.blockIndex,
    timestamp: b.timestamp,
    anchorTxId: b.anchorTxId.slice(),
    updates: b.updates.map((u) => ({
      ...(u.requestId ? { requestId: { txId: u.requestId.txId.slice(), index: u.requestId.index } } : {}),
      timestamp: u.timestamp,
      mutations: u.mutations.map((m) => (m.kind === 'set' ? { kind: 'set' as const, key: m.key.slice(), value: m.value.slice() } : { kind: 'del' as const, key: m.key.slice() })),
    })),
  };
}

/** In-memory registry: Node tests and the simulator. */
export class MemoryRegistry implements Registry {
  private identity: NodeIdentity | null = null;
  private readonly records = new Map<string, BootupRecord>();
  private readonly shares = new Map<string, RegistryKeyShare>();

  async getNodeIdentity(): Promise<NodeIdentity | null> {
    return this.identity;
  }
  async putNodeIdentity(identity: NodeIdentity): Promise<void> {
    this.identity = identity;
  }
  async listBootupRecords(): Promise<BootupRecord[]> {
    return [...this.records.values()];
  }
  async getBootupRecord(chainAddress: ChainID): Promise<BootupRecord | null> {
    return this.records.get(addressKey(chainAddress)) ?? null;
  }
  async putBootupRecord(record: BootupRecord): Promise<void> {
    validateBootupRecord(record);
    this.records.set(addressKey(record.chainAddress), record);
  }
  async removeBootupRecord(chainAddress: ChainID): Promise<void> {
    this.records.delete(addressKey(chainAddress));
  }
  async getKeyShare(chainAddress: ChainID): Promise<RegistryKeyShare | null> {
    return this.shares.get(addressKey(chainAddress)) ?? null;
  }
  async putKeyShare(chainAddress: ChainID, share: RegistryKeyShare): Promise<void> {
    this.shares.set(addressKey(chainAddress), share);
  }
}

/** Shared by registry implementations: a record that breaks these rules would make the chain unbootable. */
export function validateBootupRecord(r: BootupRecord): void {
  if (r.committeeNodeIds.length !== r.n) throw new StoreError('bad-argument', `committee has ${r.committeeNodeIds.length} node IDs but n = ${r.n}`);
  if (!(r.t > r.n / 2 && r.t <= r.n)) throw new StoreError('bad-argument', `quorum t = ${r.t} must satisfy n/2 < t ≤ n (n = ${r.n})`);
  if (r.myIndex !== null && !(Number.isInteger(r.myIndex) && r.myIndex >= 0 && r.myIndex < r.n))
    throw new StoreError('bad-argument', `myIndex ${r.myIndex} out of range 0..${r.n - 1}`);
  if (new Set(r.committeeNodeIds).size !== r.n) throw new StoreError('bad-argument', 'committee node IDs must be unique');
}
