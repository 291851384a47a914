import { addressEquals, addressKey, addressToString, equalBytes, toHex, transactionId, txIdToString, type Address, type TransactionID, type ValueTransaction } from '../protocol';
import type { Ed25519KeyPair } from '../crypto/ed25519';
import type { WalletOutput } from '../chain/deploy';
import type { WaspFromNode, WaspToNode } from '../nodeconn/messages';

/** Typed error of the node's API calls (deployChain, postRequest, callView…). */
export class NodeApiError extends Error {
  override readonly name = 'NodeApiError';
  constructor(
    readonly code: 'bad-argument' | 'unknown-chain' | 'l1-timeout' | 'rejected-by-l1' | 'dkg-failed' | 'deploy-timeout' | 'busy' | 'insufficient-funds',
    detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}

/**
 * A wallet that spends through someone else's L1 connection (the browser worker's `Wallet` has this shape):
 * `spend` builds a transaction from the spendable outputs, posts it and resolves with its ID once L1 confirmed it.
 */
export interface WalletSpender {
  readonly keyPair: Ed25519KeyPair;
  spend(build: (funds: readonly WalletOutput[]) => ValueTransaction): Promise<TransactionID>;
}

export const L1_WALLET_LIMITS = {
  /** Re-ask L1 (outputs, inclusion state) this often while waiting: nodeconn is pull-on-timeout. */
  pollMs: 300,
  /** Give up on an answer from L1 (outputs) after this long. */
  answerTimeoutMs: 10_000,
  /** Give up waiting for a posted transaction's confirmation after this long. */
  confirmTimeoutMs: 30_000,
  /** Waits at once (each is one pending API call). */
  waitsMax: 256,
} as const;

type Wait =
  | { readonly kind: 'outputs' | 'funds'; readonly address: Address; readonly sinceMs: number; lastAskMs: number; readonly resolve: (o: WalletOutput[]) => void; readonly reject: (e: Error) => void }
  | { readonly kind: 'confirm'; readonly txId: TransactionID; readonly address: Address; readonly sinceMs: number; lastAskMs: number; readonly resolve: () => void; readonly reject: (e: Error) => void };

/**
 * The node's own L1 client for wallets (no timers: the node's tick drives the polling, so it runs the same in the
 * simulator's virtual time). Spends of one wallet are serialized: the next spend asks L1 for the outputs only
 * after the previous transaction was confirmed, so it never double-spends its own change.
 */
export class L1WalletClient {
  private readonly waits = new Set<Wait>();
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(
    private readonly send: (m: WaspToNode) => void,
    private readonly nowMs: () => number,
  ) {}

  /** A spender for a key pair held by the caller (the seed never leaves the node; it signs locally). */
  spender(keyPair: Ed25519KeyPair): WalletSpender {
    return { keyPair, spend: (build) => this.spend(keyPair.address, build) };
  }

  spend(address: Address, build: (funds: readonly WalletOutput[]) => ValueTransaction): Promise<TransactionID> {
    const k = addressKey(address);
    const prev = this.chains.get(k) ?? Promise.resolve();
    const run = prev
      .catch(() => undefined)
      .then(async () => {
        const funds = await this.outputs(address);
        const tx = build(funds);
        return this.post(tx, address);
      });
    this.chains.set(k, run);
    return run;
  }

  /** Posts a transaction and resolves once L1 reports it confirmed (NodeApiError 'rejected-by-l1' otherwise). */
  post(tx: ValueTransaction, address: Address): Promise<TransactionID> {
    const txId = transactionId(tx);
    const done = new Promise<void>((resolve, reject) => this.add({ kind: 'confirm', txId, address, sinceMs: this.nowMs(), lastAskMs: this.nowMs(), resolve, reject }));
    this.send({ kind: 'waspToNodeTransaction', tx });
    return done.then(() => txId);
  }

  outputs(address: Address): Promise<WalletOutput[]> {
    const p = new Promise<WalletOutput[]>((resolve, reject) => this.add({ kind: 'outputs', address, sinceMs: this.nowMs(), lastAskMs: this.nowMs(), resolve, reject }));
    this.send({ kind: 'waspToNodeGetOutputs', address });
    return p;
  }

  /** Resolves with the address's outputs once it has any (polling L1); NodeApiError('l1-timeout') otherwise. */
  funds(address: Address): Promise<WalletOutput[]> {
    const p = new Promise<WalletOutput[]>((resolve, reject) => this.add({ kind: 'funds', address, sinceMs: this.nowMs(), lastAskMs: this.nowMs(), resolve, reject }));
    this.send({ kind: 'waspToNodeGetOutputs', address });
    return p;
  }

  /** Offered every L1 message; answers the waits it matches (the message is still routed to the chains). */
  onL1Message(m: WaspFromNode): void {
    if (this.waits.size === 0) return;
    for (const w of [...this.waits]) {
      if (w.kind !== 'confirm' && (m.kind === 'waspFromNodeAddressOutputs' || m.kind === 'waspFromNodeAddressUpdate') && addressEquals(m.address, w.address)) {
        if (w.kind === 'funds' && m.outputs.length === 0) continue;
        this.waits.delete(w);
        w.resolve(m.outputs.map((o) => ({ id: { txId: o.txId, address: w.address }, balances: o.balances })));
      } else if (w.kind === 'confirm' && m.kind === 'waspFromNodeTransactionInclusionState' && equalBytes(m.txId, w.txId)) {
        if (m.state === 'confirmed') {
          this.waits.delete(w);
          w.resolve();
        } else if (m.state === 'rejected') {
          this.waits.delete(w);
          w.reject(new NodeApiError('rejected-by-l1', `transaction ${txIdToString(w.txId).slice(0, 10)}…: ${m.reason}`));
        }
      }
    }
  }

  tick(): void {
    const now = this.nowMs();
    for (const w of [...this.waits]) {
      const limit = w.kind === 'outputs' ? L1_WALLET_LIMITS.answerTimeoutMs : L1_WALLET_LIMITS.confirmTimeoutMs;
      if (w.kind === 'funds' && now - w.sinceMs >= limit) {
        this.waits.delete(w);
        w.reject(new NodeApiError('insufficient-funds', `no funds arrived at ${addressToString(w.address)} within ${limit} ms`));
        continue;
      }
      if (now - w.sinceMs >= limit) {
        this.waits.delete(w);
        w.reject(new NodeApiError('l1-timeout', w.kind !== 'confirm' ? `no outputs of ${addressToString(w.address)} from L1 within ${limit} ms` : `transaction ${toHex(w.txId).slice(0, 10)}… not confirmed within ${limit} ms`));
        continue;
      }
      if (now - w.lastAskMs < L1_WALLET_LIMITS.pollMs) continue;
      w.lastAskMs = now;
      this.send(w.kind !== 'confirm' ? { kind: 'waspToNodeGetOutputs', address: w.address } : { kind: 'waspToNodeGetTxInclusionLevel', txId: w.txId, address: w.address });
    }
  }

  private add(w: Wait): void {
    if (this.waits.size >= L1_WALLET_LIMITS.waitsMax) return w.reject(new NodeApiError('busy', `more than ${L1_WALLET_LIMITS.waitsMax} L1 waits pending`));
    this.waits.add(w);
  }
}
