import { addressKey, type Address, type TransactionID } from '../protocol/ids';
import { toHex } from '../protocol/bytes';
import { transactionId, type ValueTransaction } from '../protocol/transaction';
import type { WaspFromNode, WaspToNode } from './messages';

export const CLIENT_RETRY_AFTER_MS_DEFAULT = 1000;
/** Outstanding pulls per client: more is a caller bug (a loop that never waits), refused rather than queued. */
export const CLIENT_PENDING_MAX = 4096;

export class NodeConnClientError extends Error {
  override readonly name = 'NodeConnClientError';
}

/** The key a question and its answer share, so an answer without context finds its question (spec: pull). */
export type PullKey = string;
export const pullKeys = {
  outputs: (a: Address): PullKey => `outputs:${addressKey(a)}`,
  confirmedTx: (id: TransactionID): PullKey => `tx:${toHex(id)}`,
  inclusion: (id: TransactionID): PullKey => `incl:${toHex(id)}`,
};

/** Which pending questions a message from the node answers. */
export function answeredKeys(m: WaspFromNode): PullKey[] {
  switch (m.kind) {
    case 'waspFromNodeConfirmedTransaction':
      return [pullKeys.confirmedTx(transactionId(m.tx))];
    case 'waspFromNodeAddressOutputs':
    case 'waspFromNodeAddressUpdate':
      return [pullKeys.outputs(m.address)];
    case 'waspFromNodeTransactionInclusionState':
      return [pullKeys.inclusion(m.txId)];
  }
}

interface Pending {
  readonly message: WaspToNode;
  nextAtMs: number;
  attempts: number;
}

/**
 * Client core, pure (time injected): remembers questions, re-sends each one `retryAfterMs` after the last try
 * until an answer arrives (the spec's pull), and re-sends subscriptions after a reconnect. The transport calls
 * `send` with what to put on the wire.
 */
export class NodeConnClientCore {
  private readonly pending = new Map<PullKey, Pending>();
  private readonly subscriptions = new Map<string, Address>();

  constructor(
    private readonly send: (m: WaspToNode) => void,
    readonly retryAfterMs: number = CLIENT_RETRY_AFTER_MS_DEFAULT,
  ) {}

  /** Asks now and keeps asking until answered or cancelled. Asking again for the same key re-sends at once. */
  ask(key: PullKey, message: WaspToNode, nowMs: number): void {
    if (!this.pending.has(key) && this.pending.size >= CLIENT_PENDING_MAX) throw new NodeConnClientError(`more than ${CLIENT_PENDING_MAX} outstanding questions`);
    this.pending.set(key, { message, nextAtMs: nowMs + this.retryAfterMs, attempts: 1 });
    this.send(message);
  }

  cancel(key: PullKey): void {
    this.pending.delete(key);
  }

  subscribe(address: Address, nowMs: number): void {
    this.subscriptions.set(addressKey(address), address);
    this.ask(pullKeys.outputs(address), { kind: 'waspToNodeSubscribe', address }, nowMs);
  }

  postTransaction(tx: ValueTransaction, nowMs: number): TransactionID {
    const id = transactionId(tx);
    // Re-posting is harmless: the ledger treats a known transaction as a no-op and answers its state.
    this.ask(pullKeys.inclusion(id), { kind: 'waspToNodeTransaction', tx }, nowMs);
    return id;
  }

  /** An incoming message: returns the keys it answered (now no longer pending). */
  receive(m: WaspFromNode): PullKey[] {
    const keys = answeredKeys(m);
    for (const k of keys) this.pending.delete(k);
    return keys;
  }

  /** Re-sends every question whose time has come. */
  tick(nowMs: number): void {
    for (const p of this.pending.values()) {
      if (p.nextAtMs > nowMs) continue;
      p.nextAtMs = nowMs + this.retryAfterMs;
      p.attempts++;
      this.send(p.message);
    }
  }

  /** After a reconnect: subscriptions again, and every open question at once. */
  resendAll(nowMs: number): void {
    for (const a of this.subscriptions.values()) this.send({ kind: 'waspToNodeSubscribe', address: a });
    for (const p of this.pending.values()) {
      p.nextAtMs = nowMs + this.retryAfterMs;
      this.send(p.message);
    }
  }

  nextRetryAtMs(): number | undefined {
    let t: number | undefined;
    for (const p of this.pending.values()) if (t === undefined || p.nextAtMs < t) t = p.nextAtMs;
    return t;
  }

  get pendingCount(): number {
    return this.pending.size;
  }
}
