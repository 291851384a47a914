import { equalBytes, fromHex, ValidationError } from '../protocol';
import type { Block, Mutation, StateReader, StateUpdate } from './types';
import { blockHash, nextStateHash, ORIGIN_STATE_HASH, validateBlockShape } from './block';
import { STATE_LIMITS } from './vstate-limits';

/**
 * Keys are held as lowercase hex strings: for lowercase hex, JS string order equals the byte order of the
 * keys (a prefix sorts first, '0'..'9' < 'a'..'f'), and a byte prefix is a hex prefix.
 */
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
/** Table-driven hex: key encoding is on every state access, and buffers stack three deep in the VM. */
function keyOf(k: Uint8Array): string {
  let s = '';
  for (let i = 0; i < k.length; i++) s += HEX[k[i] as number];
  return s;
}

/** Readers that can take an already-encoded key, so a stack of buffers encodes each key once. */
interface HexReader {
  getHex(hex: string, key: Uint8Array): Uint8Array | undefined;
  hasHex(hex: string, key: Uint8Array): boolean;
}
const isHexReader = (r: StateReader): r is StateReader & HexReader => typeof (r as Partial<HexReader>).getHex === 'function';

function checkKey(key: Uint8Array): void {
  if (key.length === 0) throw new ValidationError('state key', 'keys are non-empty (spec: virtual state)');
  if (key.length > STATE_LIMITS.keyBytesMax) throw new ValidationError('state key', `key of ${key.length} bytes > ${STATE_LIMITS.keyBytesMax}`);
}
function checkValue(value: Uint8Array): void {
  if (value.length > STATE_LIMITS.valueBytesMax) throw new ValidationError('state value', `value of ${value.length} bytes > ${STATE_LIMITS.valueBytesMax}`);
}

/** Sorted hex keys that start with `prefixHex`, by binary search in a sorted array. */
function rangeWithPrefix(sorted: readonly string[], prefixHex: string): string[] {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as string) < prefixHex) lo = mid + 1;
    else hi = mid;
  }
  const out: string[] = [];
  for (let i = lo; i < sorted.length && (sorted[i] as string).startsWith(prefixHex); i++) out.push(sorted[i] as string);
  return out;
}

/**
 * The spec's virtual state: key/value pairs plus block index, timestamp and state hash. The origin state is
 * empty, block index 0, timestamp 0, hash ORIGIN_STATE_HASH. Block N (N ≥ 1) takes it to block index N.
 * Only applyBlock changes it, so the hash always matches the blocks applied.
 */
export class VirtualState implements StateReader {
  private readonly kv: Map<string, Uint8Array>;
  /**
   * Sorted keys as of the last merge, plus keys added since (unsorted) and a flag for deletions. Merging costs
   * O(n + k log k) on the next keys() call, instead of re-sorting the whole state after every block (the state
   * grows by a receipt per request, so a full sort per block would grow without bound).
   */
  private sortedKeys: string[] = [];
  private addedKeys: string[] = [];
  private deletedSinceMerge = false;
  private _blockIndex: number;
  private _timestamp: bigint;
  private _stateHash: Uint8Array;

  private constructor(kv: Map<string, Uint8Array>, blockIndex: number, timestamp: bigint, stateHash: Uint8Array) {
    this.kv = kv;
    this._blockIndex = blockIndex;
    this._timestamp = timestamp;
    this._stateHash = stateHash;
  }

  static origin(): VirtualState {
    return new VirtualState(new Map(), 0, 0n, ORIGIN_STATE_HASH);
  }

  /** Rebuilds a state from stored pairs and its anchored header (state manager restoring a solid state). */
  static restore(pairs: Iterable<readonly [Uint8Array, Uint8Array]>, blockIndex: number, timestamp: bigint, stateHash: Uint8Array): VirtualState {
    const kv = new Map<string, Uint8Array>();
    for (const [k, v] of pairs) {
      checkKey(k);
      checkValue(v);
      kv.set(keyOf(k), v);
    }
    const s = new VirtualState(kv, blockIndex, timestamp, Uint8Array.from(stateHash));
    s.sortedKeys = [...kv.keys()].sort();
    return s;
  }

  get blockIndex(): number {
    return this._blockIndex;
  }
  /** Unix ns of the last applied state update (0 for the origin state). */
  get timestamp(): bigint {
    return this._timestamp;
  }
  get stateHash(): Uint8Array {
    return this._stateHash;
  }
  get size(): number {
    return this.kv.size;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    return this.kv.get(keyOf(key));
  }
  has(key: Uint8Array): boolean {
    return this.kv.has(keyOf(key));
  }
  /** @internal */
  getHex(hex: string): Uint8Array | undefined {
    return this.kv.get(hex);
  }
  /** @internal */
  hasHex(hex: string): boolean {
    return this.kv.has(hex);
  }
  keys(prefix: Uint8Array): Uint8Array[] {
    return rangeWithPrefix(this.sorted(), keyOf(prefix)).map(fromHex);
  }
  /** All pairs in key order (for persistence and equality checks). */
  entries(): [Uint8Array, Uint8Array][] {
    return this.sorted().map((k) => [fromHex(k), this.kv.get(k) as Uint8Array]);
  }

  clone(): VirtualState {
    const c = new VirtualState(new Map(this.kv), this._blockIndex, this._timestamp, this._stateHash);
    c.sortedKeys = this.sorted();
    return c;
  }

  /** Hash this state would have after `block` (anchorTxId plays no part), without applying it. */
  hashAfter(block: Block): Uint8Array {
    return nextStateHash(this._stateHash, blockHash(block));
  }

  /**
   * Applies block N+1: checks its index, its timestamp rules (the first update strictly after this state's
   * timestamp), every key and value bound — all before changing anything, so a bad block leaves the state as it was.
   */
  applyBlock(block: Block): void {
    if (block.blockIndex !== this._blockIndex + 1) {
      throw new ValidationError('block index', `state is at ${this._blockIndex}, block is ${block.blockIndex}`);
    }
    validateBlockShape(block);
    const first = (block.updates[0] as StateUpdate).timestamp;
    if (first <= this._timestamp) {
      throw new ValidationError('block timestamps', `first update ${first} is not after the state's ${this._timestamp}`);
    }
    for (const u of block.updates) for (const m of u.mutations) checkMutation(m);
    for (const u of block.updates) this.applyMutations(u.mutations);
    this._stateHash = this.hashAfter(block);
    this._blockIndex = block.blockIndex;
    this._timestamp = block.timestamp;
  }

  private applyMutations(ms: readonly Mutation[]): void {
    for (const m of ms) {
      const k = keyOf(m.key);
      if (m.kind === 'set') {
        if (!this.kv.has(k)) this.addedKeys.push(k);
        this.kv.set(k, m.value);
      } else if (this.kv.delete(k)) {
        this.deletedSinceMerge = true;
      }
    }
  }

  private sorted(): string[] {
    if (this.addedKeys.length === 0 && !this.deletedSinceMerge) return this.sortedKeys;
    const kv = this.kv;
    const added = this.addedKeys.sort();
    const old = this.sortedKeys;
    const out: string[] = [];
    let i = 0;
    let j = 0;
    let last: string | undefined;
    // Merge two sorted lists, dropping deleted keys and duplicates (a key deleted and set again is in both).
    while (i < old.length || j < added.length) {
      const a = old[i];
      const b = added[j];
      let k: string;
      if (b === undefined || (a !== undefined && a <= b)) {
        k = a as string;
        i++;
      } else {
        k = b;
        j++;
      }
      if (k !== last && kv.has(k)) out.push(k);
      last = k;
    }
    this.sortedKeys = out;
    this.addedKeys = [];
    this.deletedSinceMerge = false;
    return out;
  }
}

function checkMutation(m: Mutation): void {
  checkKey(m.key);
  if (m.kind === 'set') checkValue(m.value);
}

/**
 * A write buffer over a StateReader: the VM's working view. Reads see buffered writes first. A batch uses one
 * buffer over the solid state and one per request over the batch buffer: a request's mutations are applied
 * to the batch buffer when it succeeds and simply dropped (rolled back) when it fails.
 */
export class VirtualStateBuffer implements StateReader {
  /**
   * hex key → the key's bytes and its value (null = deleted). The bytes are kept so mutations() need not decode
   * the hex again: it runs for every request at three buffer levels, and decoding was most of its time.
   */
  private readonly overlay = new Map<string, { readonly key: Uint8Array; readonly value: Uint8Array | null }>();

  constructor(readonly base: StateReader) {}

  get(key: Uint8Array): Uint8Array | undefined {
    return this.getHex(keyOf(key), key);
  }
  has(key: Uint8Array): boolean {
    return this.hasHex(keyOf(key), key);
  }
  /** @internal */
  getHex(hex: string, key: Uint8Array): Uint8Array | undefined {
    const e = this.overlay.get(hex);
    if (e !== undefined) return e.value ?? undefined;
    return isHexReader(this.base) ? this.base.getHex(hex, key) : this.base.get(key);
  }
  /** @internal */
  hasHex(hex: string, key: Uint8Array): boolean {
    const e = this.overlay.get(hex);
    if (e !== undefined) return e.value !== null;
    return isHexReader(this.base) ? this.base.hasHex(hex, key) : this.base.has(key);
  }
  keys(prefix: Uint8Array): Uint8Array[] {
    const p = keyOf(prefix);
    const merged = new Set(this.base.keys(prefix).map(keyOf));
    for (const [k, e] of this.overlay) {
      if (!k.startsWith(p)) continue;
      if (e.value === null) merged.delete(k);
      else merged.add(k);
    }
    return [...merged].sort().map(fromHex);
  }

  /** The key is copied: the buffer's mutations must not change if the caller reuses its array. */
  set(key: Uint8Array, value: Uint8Array): void {
    checkKey(key);
    checkValue(value);
    this.overlay.set(keyOf(key), { key: key.slice(), value });
  }
  del(key: Uint8Array): void {
    checkKey(key);
    this.overlay.set(keyOf(key), { key: key.slice(), value: null });
  }

  /** Number of keys written or deleted so far (bounds a request's update). */
  get pendingCount(): number {
    return this.overlay.size;
  }

  /**
   * The net mutations against the base, sorted by key so equal work gives equal bytes: a set to the value
   * the base already has, or a delete of a key the base lacks, is no change and is left out.
   */
  mutations(): Mutation[] {
    return this.netChanges().map(([, m]) => m);
  }

  /**
   * Writes this buffer's net mutations into `target` and returns them (= target.applyMutations(this.mutations()),
   * the VM's commit of a request or transaction into the buffer below it) without encoding each key to hex again:
   * the buffer already holds it, and checked the key and value when they were written.
   */
  commitTo(target: VirtualStateBuffer): Mutation[] {
    const changes = this.netChanges();
    for (const [hex, m] of changes) target.overlay.set(hex, { key: m.key, value: m.kind === 'set' ? m.value : null });
    return changes.map(([, m]) => m);
  }

  /** The net mutations with their hex keys, sorted by key (see mutations()). */
  private netChanges(): [string, Mutation][] {
    const out: [string, Mutation][] = [];
    for (const k of [...this.overlay.keys()].sort()) {
      const { key, value: v } = this.overlay.get(k) as { key: Uint8Array; value: Uint8Array | null };
      const baseValue = isHexReader(this.base) ? this.base.getHex(k, key) : this.base.get(key);
      if (v === null) {
        if (baseValue !== undefined) out.push([k, { kind: 'del', key }]);
      } else if (baseValue === undefined || !equalBytes(baseValue, v)) {
        out.push([k, { kind: 'set', key, value: v }]);
      }
    }
    return out;
  }

  /**
   * Writes mutations into this buffer (a request's, once it succeeded). Their keys are kept as they are, not
   * copied: mutations are immutable values (they end up in blocks as they are).
   */
  applyMutations(ms: readonly Mutation[]): void {
    for (const m of ms) {
      checkKey(m.key);
      if (m.kind === 'set') {
        checkValue(m.value);
        this.overlay.set(keyOf(m.key), { key: m.key, value: m.value });
      } else {
        this.overlay.set(keyOf(m.key), { key: m.key, value: null });
      }
    }
  }

  /** Drops every buffered write. */
  rollback(): void {
    this.overlay.clear();
  }
}
