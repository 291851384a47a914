import {
  addressEquals,
  COLOR_IOTA,
  colorKey,
  DecodeError,
  parseSCTransaction,
  ValidationError,
  requestIDKey,
  toHex,
  transactionId,
  type Address,
  type AgentID,
  type Balances,
  type Color,
  type RequestID,
  type RequestSection,
  type SCTransaction,
  type TransactionID,
  type ValueTransaction,
} from '../protocol';
import { bookedOutputBalances, type AddressOutput } from '../protocol';

/** Re-exported: the L1 output helpers live in src/protocol/outputs.ts. */
export { bookedOutputBalances };
import { CONSENSUS_PARAMS } from './params';

/** A request in the backlog: its section plus what the anchor builder needs about its request transaction. */
export interface BacklogRequest {
  readonly id: RequestID;
  /** requestIDKey(id): stable map key. */
  readonly key: string;
  readonly section: RequestSection;
  /** Address that signed the request transaction (where the request token goes back, uncolored). */
  readonly senderAddress: Address;
  /** The securely identified sender: the address, or the sending contract when the tx is an anchor. */
  readonly sender: AgentID;
  /** The request transaction's output to the chain address (booked colors): consumed whole by the anchor. */
  readonly utxoBalances: Balances;
  /** Number of request sections of that transaction targeting this chain (= its request tokens here). */
  readonly requestsInTx: number;
}

/** An output in the chain address that holds no request for it (see Backlog.strays). */
export interface BacklogStray {
  /** hexKey(txId). */
  readonly key: string;
  readonly txId: TransactionID;
  readonly balances: Balances;
}

/** The UTXO holding the chain token: the tip of the chain anchors. */
export type ChainUtxo = AddressOutput;

interface LoadedTx {
  readonly requests: BacklogRequest[];
}

const HEX_BYTE = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));
/** = protocol toHex (lowercase, two digits a byte) by table: it runs for every output of every AddressUpdate. */
export function hexKey(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX_BYTE[b[i] as number];
  return s;
}

/** Hex keys of transaction IDs, memoised per byte array (an AddressUpdate repeats every output of the address). */
const txKeys = new WeakMap<Uint8Array, string>();
function txKey(txId: Uint8Array): string {
  let k = txKeys.get(txId);
  if (k === undefined) {
    k = hexKey(txId);
    txKeys.set(txId, k);
  }
  return k;
}
const IOTA_KEY = hexKey(COLOR_IOTA);

/** Request keys are the hex of fixed-length request ID bytes, so comparing keys is comparing the bytes. */
const byKey = (a: BacklogRequest, b: BacklogRequest): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/**
 * Spec "Fetching the backlog": the backlog is a pure function of the chain address's confirmed outputs and the
 * request transactions they name. For each output that is not the chain-token UTXO and holds tokens of a color
 * C ≠ IOTA, ≠ chain color: C is the request transaction's ID; load it, parse it, take its request sections that
 * target this chain; if their count equals the balance of C the requests are in the backlog, otherwise skip.
 *
 * A request leaves the backlog exactly when the output holding its token leaves the address: when a confirmed
 * anchor consumed it (spec "Removing the request from the backlog"). Nothing else removes one, so a rejected
 * anchor or a leader rotation cannot lose a request.
 *
 * Cost: L1 repeats the whole output list on every AddressUpdate, so each update costs O(outputs) map work here
 * (no parsing, no sorting); the sorted backlog changes incrementally (a loaded transaction is inserted by binary
 * search, consumed ones are filtered out), and `version` tells consumers when it changed.
 */
export class Backlog {
  private outputs: readonly AddressOutput[] = [];
  /** tx key → candidate output (may hold request tokens) and the last update (generation) that listed it. */
  private readonly candidates = new Map<string, { output: AddressOutput; gen: number }>();
  private generation = 0;
  /** Candidates whose transaction was not loaded yet, in order of appearance (fetchesDue looks only at these). */
  private unloaded: string[] = [];
  private utxo: ChainUtxo | null = null;
  private readonly loaded = new Map<string, LoadedTx | null>();
  /** tx key → time the fetch was asked (retry after `retryMs`). */
  private readonly fetching = new Map<string, number>();
  /** Every loaded request, sorted by key (= request ID bytes). */
  private sorted: BacklogRequest[] = [];
  private readonly index = new Map<string, BacklogRequest>();
  private bounded: readonly BacklogRequest[] | null = null;
  private color: Color | null;
  private changes = 0;
  /** tx key → output in the chain address holding no token of its own transaction's colour (no request in it). */
  private strayOutputs = new Map<string, AddressOutput>();
  private straysSorted: readonly BacklogStray[] | null = null;

  constructor(
    readonly chainAddress: Address,
    /** Null until the chain color is known (origin tx ID); then fixed. */
    chainColor: Color | null,
    private readonly retryMs: number,
  ) {
    this.color = chainColor;
  }

  get chainColor(): Color | null {
    return this.color;
  }
  set chainColor(c: Color | null) {
    this.color = c;
    this.setOutputs(this.outputs);
  }

  /** Increases whenever requests() may have changed (a consumer can cache what it derives from the backlog). */
  get version(): number {
    return this.changes;
  }

  /**
   * New confirmed outputs of the chain address (AddressUpdate or AddressOutputs): replaces the old view. The
   * candidate map is updated in place (marked with this update's generation, unmarked ones swept) rather than
   * rebuilt: L1 sends every output again in each update, and almost all of them are unchanged.
   */
  setOutputs(outputs: readonly AddressOutput[]): void {
    this.outputs = outputs;
    const gen = ++this.generation;
    const ck = this.color ? colorKey(this.color) : null;
    let utxo: ChainUtxo | null = null;
    let marked = 0;
    const strays = new Map<string, AddressOutput>();
    for (const o of outputs) {
      const k = txKey(o.txId);
      if (ck !== null && o.balances.has(ck)) {
        // The chain-token UTXO. It holds requests too when its transaction posted some to this chain: an anchor
        // whose contract posted to its own chain, or the origin (its requests' tokens share the chain colour,
        // spec "Fetching the backlog" step 4's exception).
        if ((o.balances.get(ck) as bigint) > 0n) utxo ??= { txId: o.txId, balances: o.balances };
        if (requestTokensIn(o.balances, k, ck) === 0n) continue;
      } else if (k === IOTA_KEY || !o.balances.has(k)) {
        // No request token, so no request: a stray the next anchor sweeps (only once the chain colour is known).
        if (ck !== null) strays.set(k, o);
        continue;
      }
      const e = this.candidates.get(k);
      if (e) {
        if (e.gen !== gen) marked++;
        e.gen = gen;
        e.output = o;
      } else {
        this.candidates.set(k, { output: o, gen });
        marked++;
        if (!this.loaded.has(k)) this.unloaded.push(k);
      }
    }
    this.utxo = utxo;
    if (strays.size !== this.strayOutputs.size || [...strays.keys()].some((k) => !this.strayOutputs.has(k))) this.straysSorted = null;
    this.strayOutputs = strays;
    if (marked === this.candidates.size) return;
    let removed = false;
    for (const [k, e] of this.candidates) {
      if (e.gen === gen) continue;
      this.candidates.delete(k);
      this.fetching.delete(k);
      if (this.loaded.get(k)) removed = true;
      else if (this.loaded.get(k) === null) this.straysSorted = null;
      this.loaded.delete(k);
    }
    this.unloaded = this.unloaded.filter((k) => this.candidates.has(k) && !this.loaded.has(k));
    if (removed) {
      this.sorted = this.sorted.filter((r) => this.loaded.has(txKey(r.id.txId)));
      this.index.clear();
      for (const r of this.sorted) this.index.set(r.key, r);
      this.changed();
    }
  }

  /** The chain-token UTXO as L1 reports it, or null (chain color unknown, or token not seen yet). */
  chainUtxo(): ChainUtxo | null {
    return this.utxo;
  }

  /** Request transactions to ask L1 for now (unknown, not asked within `retryMs`). Bounded per call. */
  fetchesDue(nowMs: number): TransactionID[] {
    const due: TransactionID[] = [];
    if (this.unloaded.some((k) => this.loaded.has(k))) this.unloaded = this.unloaded.filter((k) => !this.loaded.has(k));
    for (const k of this.unloaded) {
      const o = (this.candidates.get(k) as { output: AddressOutput }).output;
      const askedAt = this.fetching.get(k);
      if (askedAt !== undefined && nowMs - askedAt < this.retryMs) continue;
      if (due.length >= CONSENSUS_PARAMS.backlogFetchesInFlightMax) break;
      this.fetching.set(k, nowMs);
      due.push(o.txId);
    }
    return due;
  }

  /** A confirmed transaction arrived from L1; returns true if it changed the backlog. */
  onTransaction(tx: ValueTransaction, txId: TransactionID = transactionId(tx)): boolean {
    const k = txKey(txId);
    const out = this.candidates.get(k)?.output;
    if (!out || this.loaded.has(k)) return false;
    this.fetching.delete(k);
    const l = this.parse(tx, txId, out);
    this.loaded.set(k, l);
    if (l === null) this.straysSorted = null;
    for (const r of l?.requests ?? []) {
      // Binary search for the insertion point: the backlog stays sorted without re-sorting it.
      let lo = 0;
      let hi = this.sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (byKey(this.sorted[mid] as BacklogRequest, r) < 0) lo = mid + 1;
        else hi = mid;
      }
      this.sorted.splice(lo, 0, r);
      this.index.set(r.key, r);
    }
    this.changed();
    return true;
  }

  /** The current backlog, sorted by request ID bytes, bounded by backlogRequestsMax. */
  requests(): readonly BacklogRequest[] {
    this.bounded ??= this.sorted.length > CONSENSUS_PARAMS.backlogRequestsMax ? this.sorted.slice(0, CONSENSUS_PARAMS.backlogRequestsMax) : [...this.sorted];
    return this.bounded;
  }

  /** A request of the (bounded) backlog by key. */
  get(key: string): BacklogRequest | undefined {
    const r = this.index.get(key);
    if (!r || this.sorted.length <= CONSENSUS_PARAMS.backlogRequestsMax) return r;
    const last = this.requests()[CONSENSUS_PARAMS.backlogRequestsMax - 1] as BacklogRequest;
    return byKey(r, last) <= 0 ? r : undefined;
  }

  /**
   * Strays in the chain address, sorted by tx ID bytes: outputs with no token of their own transaction's colour,
   * and outputs whose transaction was loaded and holds no valid request for this chain (spec "Fetching the
   * backlog" skips them; left alone, nobody would ever spend them). The leader sweeps some into each anchor.
   */
  strays(): readonly BacklogStray[] {
    if (!this.straysSorted) {
      const all: BacklogStray[] = [...this.strayOutputs].map(([key, o]) => ({ key, txId: o.txId, balances: o.balances }));
      for (const [key, l] of this.loaded) {
        const o = l === null ? this.candidates.get(key)?.output : undefined;
        if (o) all.push({ key, txId: o.txId, balances: o.balances });
      }
      this.straysSorted = all.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    }
    return this.straysSorted;
  }

  /** The stray with this transaction ID, if this node sees it as one. */
  stray(txId: TransactionID): BacklogStray | undefined {
    const key = txKey(txId);
    const o = this.strayOutputs.get(key) ?? (this.loaded.get(key) === null ? this.candidates.get(key)?.output : undefined);
    return o ? { key, txId: o.txId, balances: o.balances } : undefined;
  }

  private changed(): void {
    this.bounded = null;
    this.changes++;
  }

  private parse(tx: ValueTransaction, txId: TransactionID, out: AddressOutput): LoadedTx | null {
    // The shared SC-transaction rules (src/protocol/sctx): one sender address, request tokens minted per target,
    // transfers covered. Not an SC transaction, or one breaking a rule: skip it (spec step 2).
    let sc: SCTransaction | null;
    try {
      sc = parseSCTransaction(tx);
    } catch (e) {
      if (e instanceof ValidationError || e instanceof DecodeError) return null;
      throw e;
    }
    if (!sc) return null;
    const mine = sc.requests.filter((r) => addressEquals(r.section.targetContractID.chainId, this.chainAddress));
    const tokens = requestTokensIn(out.balances, toHex(txId), this.color ? colorKey(this.color) : null);
    if (mine.length === 0 || BigInt(mine.length) !== tokens) return null; // spec step 4: counts must match
    const senderAddress = sc.senderAddress;
    const requests = mine.map((r) => ({ id: r.id, key: requestIDKey(r.id), section: r.section, senderAddress, sender: r.sender, utxoBalances: out.balances, requestsInTx: mine.length }));
    return { requests };
  }
}

/** Tokens of colour `txKey` (the output's own transaction) that are request tokens: all but the chain token. */
function requestTokensIn(b: Balances, txKey: string, chainKey: string | null): bigint {
  const n = b.get(txKey) ?? 0n;
  return txKey === chainKey ? (n > 0n ? n - 1n : 0n) : n;
}

