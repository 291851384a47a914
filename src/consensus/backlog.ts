import {
  addressEquals,
  balancesOf,
  COLOR_IOTA,
  COLOR_MINT,
  colorKey,
  compareRequestIDs,
  DecodeError,
  equalBytes,
  parseSCTransaction,
  ValidationError,
  fromHex,
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
import type { AddressOutput } from '../nodeconn/messages';
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

/** The UTXO holding the chain token: the tip of the chain anchors. */
export interface ChainUtxo {
  readonly txId: TransactionID;
  readonly balances: Balances;
}

interface LoadedTx {
  readonly requests: BacklogRequest[];
}

/**
 * Spec "Fetching the backlog": the backlog is a pure function of the chain address's confirmed outputs and the
 * request transactions they name. For each output that is not the chain-token UTXO and holds tokens of a color
 * C ≠ IOTA, ≠ chain color: C is the request transaction's ID; load it, parse it, take its request sections that
 * target this chain; if their count equals the balance of C the requests are in the backlog, otherwise skip.
 *
 * A request leaves the backlog exactly when the output holding its token leaves the address: when a confirmed
 * anchor consumed it (spec "Removing the request from the backlog"). Nothing else removes one, so a rejected
 * anchor or a leader rotation cannot lose a request.
 */
export class Backlog {
  private outputs: readonly AddressOutput[] = [];
  private readonly loaded = new Map<string, LoadedTx | null>();
  /** tx key → time the fetch was asked (retry after `retryMs`). */
  private readonly fetching = new Map<string, number>();
  private cachedRequests: BacklogRequest[] | null = null;

  constructor(
    readonly chainAddress: Address,
    /** Null until the chain color is known (origin tx ID); then fixed. */
    public chainColor: Color | null,
    private readonly retryMs: number,
  ) {}

  /** New confirmed outputs of the chain address (AddressUpdate or AddressOutputs): replaces the old view. */
  setOutputs(outputs: readonly AddressOutput[]): void {
    this.outputs = outputs;
    this.cachedRequests = null;
    const live = new Set(outputs.map((o) => toHex(o.txId)));
    for (const k of [...this.loaded.keys()]) if (!live.has(k)) this.loaded.delete(k);
    for (const k of [...this.fetching.keys()]) if (!live.has(k)) this.fetching.delete(k);
  }

  /** The chain-token UTXO as L1 reports it, or null (chain color unknown, or token not seen yet). */
  chainUtxo(): ChainUtxo | null {
    if (!this.chainColor) return null;
    const ck = colorKey(this.chainColor);
    const o = this.outputs.find((x) => (x.balances.get(ck) ?? 0n) > 0n);
    return o ? { txId: o.txId, balances: o.balances } : null;
  }

  /** Request transactions to ask L1 for now (unknown, not asked within `retryMs`). Bounded per call. */
  fetchesDue(nowMs: number): TransactionID[] {
    const due: TransactionID[] = [];
    for (const o of this.candidateOutputs()) {
      const k = toHex(o.txId);
      if (this.loaded.has(k)) continue;
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
    const k = toHex(txId);
    const out = this.outputs.find((o) => equalBytes(o.txId, txId));
    if (!out || this.loaded.has(k)) return false;
    this.fetching.delete(k);
    this.loaded.set(k, this.parse(tx, txId, out));
    this.cachedRequests = null;
    return true;
  }

  /** The current backlog, sorted by request ID bytes, bounded by backlogRequestsMax. */
  requests(): readonly BacklogRequest[] {
    if (this.cachedRequests) return this.cachedRequests;
    const all: BacklogRequest[] = [];
    for (const o of this.candidateOutputs()) {
      const l = this.loaded.get(toHex(o.txId));
      if (l) all.push(...l.requests);
    }
    all.sort((a, b) => compareRequestIDs(a.id, b.id));
    this.cachedRequests = all.slice(0, CONSENSUS_PARAMS.backlogRequestsMax);
    return this.cachedRequests;
  }

  get(key: string): BacklogRequest | undefined {
    return this.requests().find((r) => r.key === key);
  }

  /** Outputs that may hold request tokens: not the chain-token UTXO, holding a color equal to their tx ID. */
  private candidateOutputs(): AddressOutput[] {
    const ck = this.chainColor ? colorKey(this.chainColor) : null;
    return this.outputs.filter((o) => (ck === null || !o.balances.has(ck)) && o.balances.has(toHex(o.txId)) && !equalBytes(o.txId, COLOR_IOTA));
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
    const tokens = out.balances.get(toHex(txId)) ?? 0n;
    if (mine.length === 0 || BigInt(mine.length) !== tokens) return null; // spec step 4: counts must match
    const senderAddress = sc.senderAddress;
    const requests = mine.map((r) => ({ id: r.id, key: requestIDKey(r.id), section: r.section, senderAddress, sender: r.sender, utxoBalances: out.balances, requestsInTx: mine.length }));
    return { requests };
  }
}

/** Balances of a transaction's output to `address` as L1 books them (COLOR_MINT becomes the tx ID). */
export function bookedOutputBalances(tx: ValueTransaction, txId: TransactionID, address: Address): Balances | null {
  const o = tx.outputs.find((x) => addressEquals(x.address, address));
  if (!o) return null;
  const mint = colorKey(COLOR_MINT);
  return balancesOf([...o.balances].map(([k, v]) => [k === mint ? txId : fromHex(k), v] as const));
}
