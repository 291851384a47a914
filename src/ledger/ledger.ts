import { ValidationError } from '../protocol/errors';
import { toHex } from '../protocol/bytes';
import { addressKey, outputIDKey, txIdToString, type Address, type OutputID, type TransactionID } from '../protocol/ids';
import type { Balances } from '../protocol/balances';
import { transactionId, type SignatureVerifier, type ValueTransaction } from '../protocol/transaction';
import { bookBalances } from '../protocol/outputs';
import { checkWellFormed, LEDGER_RULES, validateValueTransaction } from './validate';

export type InclusionState = 'booked' | 'confirmed' | 'rejected';

export interface LedgerOptions {
  readonly verifier: SignatureVerifier;
  /** Booked → confirmed after this long; 0 confirms on the next tick. */
  readonly confirmDelayMs?: number;
  /** Outputs that exist from the start (the faucet's supply), confirmed, with tx ID GENESIS_TX_ID. */
  readonly genesis?: readonly GenesisOutput[];
  /** Rejected transactions remembered for getInclusionState; the oldest are forgotten beyond this. */
  readonly rejectedRememberedMax?: number;
}
export interface GenesisOutput {
  readonly address: Address;
  readonly balances: Balances;
}

export const DEFAULT_CONFIRM_DELAY_MS = 100;
export const DEFAULT_REJECTED_REMEMBERED_MAX = 10_000;
/** Genesis outputs are named by this pseudo transaction ID (no transaction has it). */
export const GENESIS_TX_ID: TransactionID = new Uint8Array(32);

export interface LedgerOutput {
  readonly id: OutputID;
  /** Colors as booked: COLOR_MINT already replaced by the creating transaction's ID. */
  readonly balances: Balances;
  readonly confirmed: boolean;
}

export type SubmitResult =
  | { readonly txId: TransactionID; readonly state: 'booked' | 'confirmed'; readonly duplicate: boolean }
  | { readonly txId: TransactionID; readonly state: 'rejected'; readonly rule: string; readonly reason: string; readonly duplicate: boolean };

/**
 * Drained by the caller from tick(): a confirmation, and one update per subscribed address it touched. An update
 * names the address and the transaction, not the outputs: a tick confirming R transactions to one address would
 * otherwise list its outputs R times (O(R²)); the caller reads `getOutputs` once per address and tick.
 */
export type LedgerEvent =
  | { readonly kind: 'confirmed'; readonly txId: TransactionID; readonly tx: ValueTransaction }
  | { readonly kind: 'addressUpdate'; readonly address: Address; readonly tx: ValueTransaction };

interface TxRecord {
  readonly tx: ValueTransaction;
  readonly txId: TransactionID;
  state: 'booked' | 'confirmed';
  readonly bookedAtMs: number;
}
interface OutputRecord {
  readonly id: OutputID;
  readonly balances: Balances;
  confirmed: boolean;
  spentBy: string | undefined;
}

/**
 * The L1 ledger (Pollen's value tangle reduced to what ISCP needs): UTXOs of colored balances, full validation,
 * first-seen-wins conflicts, booked → confirmed after a delay. Pure: no timers, no I/O; time comes in as nowMs.
 * Outputs of a booked transaction may be spent at once: a booked transaction is never un-booked (a conflicting
 * later one is rejected instead), so its outputs are as final as its confirmation.
 */
export class Ledger {
  readonly confirmDelayMs: number;
  private readonly verifier: SignatureVerifier;
  private readonly txs = new Map<string, TxRecord>();
  private readonly outputs = new Map<string, OutputRecord>();
  /** address key → keys of its unspent outputs (booked or confirmed). */
  private readonly unspentByAddress = new Map<string, Set<string>>();
  private readonly rejected = new Map<string, { rule: string; reason: string; tx: ValueTransaction }>();
  private readonly rejectedMax: number;
  /** Booked, not yet confirmed, in booking order (so confirmation times are non-decreasing). */
  private pending: string[] = [];
  private pendingHead = 0;
  private readonly subscriptions = new Map<string, { address: Address; count: number }>();

  constructor(opts: LedgerOptions) {
    this.verifier = opts.verifier;
    this.confirmDelayMs = opts.confirmDelayMs ?? DEFAULT_CONFIRM_DELAY_MS;
    if (!Number.isInteger(this.confirmDelayMs) || this.confirmDelayMs < 0) throw new RangeError(`confirmDelayMs must be a non-negative integer`);
    this.rejectedMax = opts.rejectedRememberedMax ?? DEFAULT_REJECTED_REMEMBERED_MAX;
    for (const g of opts.genesis ?? []) this.addOutput({ txId: GENESIS_TX_ID, address: g.address }, g.balances, true);
  }

  /**
   * Validates and books a transaction (or rejects it with a reason). Resubmitting a known tx changes nothing.
   * Throws ValidationError only for an in-memory value that cannot even be encoded (zero amount, two outputs to
   * one address): it has no transaction ID. Anything decoded from bytes always gets a SubmitResult.
   */
  submit(tx: ValueTransaction, nowMs: number, opts: { readonly skipSignatures?: boolean } = {}): SubmitResult {
    let txId: TransactionID;
    try {
      txId = transactionId(tx);
    } catch {
      // No canonical encoding, so no ID to report a rejection under: the caller gets the typed error itself.
      checkWellFormed(tx);
      throw new ValidationError(LEDGER_RULES.malformed, 'transaction cannot be encoded');
    }
    const key = toHex(txId);
    const known = this.txs.get(key);
    if (known) return { txId, state: known.state, duplicate: true };
    const rej = this.rejected.get(key);
    if (rej) return { txId, state: 'rejected', rule: rej.rule, reason: rej.reason, duplicate: true };
    try {
      const verifier = opts.skipSignatures ? TRUSTING : this.verifier;
      validateValueTransaction(tx, (id) => this.outputs.get(outputIDKey(id))?.balances, verifier);
      for (const i of tx.inputs) {
        const spentBy = this.outputs.get(outputIDKey(i))?.spentBy;
        if (spentBy !== undefined)
          throw new ValidationError(LEDGER_RULES.conflict, `double spend: output ${txIdToString(i.txId)} already spent by ${txIdToString(this.txs.get(spentBy)?.txId ?? new Uint8Array(32))}`);
      }
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      // An unknown input may only be not booked yet (a child posted before its parent): that rejection is not
      // final, so it is not remembered and a re-post after the parent is booked is validated afresh.
      if (e.rule !== LEDGER_RULES.inputUnknown) this.remember(key, { rule: e.rule, reason: e.message, tx });
      return { txId, state: 'rejected', rule: e.rule, reason: e.message, duplicate: false };
    }
    this.book(tx, txId, key, nowMs);
    return { txId, state: 'booked', duplicate: false };
  }

  /** Confirms every booked transaction whose delay has passed; returns what happened, in order. */
  tick(nowMs: number): LedgerEvent[] {
    const events: LedgerEvent[] = [];
    while (this.pendingHead < this.pending.length) {
      const rec = this.txs.get(this.pending[this.pendingHead] as string) as TxRecord;
      if (rec.bookedAtMs + this.confirmDelayMs > nowMs) break;
      this.pendingHead++;
      if (rec.state === 'booked') this.confirm(rec, events); // confirmNow may have got there first
    }
    // Compact the queue once its consumed head dominates, so it stays bounded by the pending count.
    if (this.pendingHead > 1024 && this.pendingHead * 2 > this.pending.length) {
      this.pending = this.pending.slice(this.pendingHead);
      this.pendingHead = 0;
    }
    return events;
  }

  /** Forces confirmation regardless of time: used when replaying a persisted log. */
  confirmNow(txId: TransactionID): LedgerEvent[] {
    const rec = this.txs.get(toHex(txId));
    if (!rec || rec.state === 'confirmed') return [];
    const events: LedgerEvent[] = [];
    this.confirm(rec, events);
    return events;
  }

  /** Next time tick() has work, or undefined: lets a runtime sleep exactly as long as needed. */
  nextConfirmationAtMs(): number | undefined {
    for (let i = this.pendingHead; i < this.pending.length; i++) {
      const r = this.txs.get(this.pending[i] as string) as TxRecord;
      if (r.state === 'booked') return r.bookedAtMs + this.confirmDelayMs;
    }
    return undefined;
  }

  subscribe(address: Address): void {
    const k = addressKey(address);
    const s = this.subscriptions.get(k);
    if (s) s.count++;
    else this.subscriptions.set(k, { address, count: 1 });
  }
  unsubscribe(address: Address): void {
    const k = addressKey(address);
    const s = this.subscriptions.get(k);
    if (!s) return;
    if (--s.count === 0) this.subscriptions.delete(k);
  }

  /** Confirmed, unspent outputs of an address (what a wallet may rely on). */
  getOutputs(address: Address): LedgerOutput[] {
    return this.unspent(address).filter((o) => o.confirmed);
  }
  /** Unspent outputs including booked ones (what the faucet chains its next transaction on). */
  getUnspentOutputs(address: Address): LedgerOutput[] {
    return this.unspent(address);
  }
  getTransaction(txId: TransactionID): ValueTransaction | undefined {
    return this.txs.get(toHex(txId))?.tx;
  }
  getConfirmedTransaction(txId: TransactionID): ValueTransaction | undefined {
    const r = this.txs.get(toHex(txId));
    return r?.state === 'confirmed' ? r.tx : undefined;
  }
  getInclusionState(txId: TransactionID): { state: InclusionState; reason: string } | undefined {
    const k = toHex(txId);
    const r = this.txs.get(k);
    if (r) return { state: r.state, reason: '' };
    const j = this.rejected.get(k);
    return j ? { state: 'rejected', reason: j.reason } : undefined;
  }
  get stats(): { transactions: number; pending: number; outputs: number; rejectedRemembered: number } {
    return { transactions: this.txs.size, pending: this.pending.length - this.pendingHead, outputs: this.outputs.size, rejectedRemembered: this.rejected.size };
  }

  /* ---------------------------------------------------------------- internals */

  private book(tx: ValueTransaction, txId: TransactionID, key: string, nowMs: number): void {
    this.txs.set(key, { tx, txId, state: 'booked', bookedAtMs: nowMs });
    for (const i of tx.inputs) {
      const ok = outputIDKey(i);
      const o = this.outputs.get(ok) as OutputRecord;
      o.spentBy = key;
      this.unspentByAddress.get(addressKey(i.address))?.delete(ok);
    }
    for (const out of tx.outputs) this.addOutput({ txId, address: out.address }, bookBalances(out.balances, txId), false);
    this.pending.push(key);
  }

  private confirm(rec: TxRecord, events: LedgerEvent[]): void {
    rec.state = 'confirmed';
    for (const out of rec.tx.outputs) (this.outputs.get(outputIDKey({ txId: rec.txId, address: out.address })) as OutputRecord).confirmed = true;
    events.push({ kind: 'confirmed', txId: rec.txId, tx: rec.tx });
    for (const out of rec.tx.outputs) {
      if (!this.subscriptions.has(addressKey(out.address))) continue;
      events.push({ kind: 'addressUpdate', address: out.address, tx: rec.tx });
    }
  }

  private addOutput(id: OutputID, balances: Balances, confirmed: boolean): void {
    const k = outputIDKey(id);
    this.outputs.set(k, { id, balances, confirmed, spentBy: undefined });
    const ak = addressKey(id.address);
    let set = this.unspentByAddress.get(ak);
    if (!set) this.unspentByAddress.set(ak, (set = new Set()));
    set.add(k);
  }

  private unspent(address: Address): LedgerOutput[] {
    const set = this.unspentByAddress.get(addressKey(address));
    if (!set) return [];
    return [...set].map((k) => {
      const o = this.outputs.get(k) as OutputRecord;
      return { id: o.id, balances: o.balances, confirmed: o.confirmed };
    });
  }

  private remember(key: string, r: { rule: string; reason: string; tx: ValueTransaction }): void {
    this.rejected.set(key, r);
    if (this.rejected.size > this.rejectedMax) this.rejected.delete(this.rejected.keys().next().value as string);
  }
}

/** Replay of our own checksummed log: signatures were verified when the record was first written. */
const TRUSTING: SignatureVerifier = { ed25519: () => true, bls: () => true };
