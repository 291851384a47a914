import { ed25519KeyPairFromSeed, type Ed25519KeyPair } from '../crypto/ed25519';
import type { WalletOutput } from '../chain/deploy';
import { addressEquals, addressToString, COLOR_IOTA, colorKey, txIdToString, type Balances, type TransactionID } from '../protocol';
import { toHex } from '../protocol/bytes';
import { transactionId, type ValueTransaction } from '../protocol/transaction';
import type { WaspFromNode, WaspToNode } from '../nodeconn/messages';

/** How long a wallet waits for L1 to confirm one of its transactions before telling the user. */
export const WALLET_CONFIRM_TIMEOUT_MS = 20_000;
/** Waiters for confirmations at once (bounded: each is one pending user action). */
const WAITERS_MAX = 256;

/**
 * The tab's L1 wallet (an ed25519 address on the hub's ledger): tracks its unspent outputs from nodeconn
 * address updates and chains its own transactions (a new one spends only outputs L1 has confirmed, so a
 * rejected transaction never strands the ones after it).
 */
export class Wallet {
  readonly keyPair: Ed25519KeyPair;
  private outputs: WalletOutput[] = [];
  private readonly waiters = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();
  /** Outputs already spent by a transaction we posted and L1 has not answered yet. */
  private readonly spentPending = new Set<string>();
  /** Serializes spending: one transaction in flight at a time. */
  private spendChain: Promise<unknown> = Promise.resolve();

  constructor(
    seed: Uint8Array,
    private readonly sendL1: (m: WaspToNode) => void,
    private readonly onChange: () => void,
  ) {
    this.keyPair = ed25519KeyPairFromSeed(seed);
  }

  get address(): string {
    return addressToString(this.keyPair.address);
  }

  start(): void {
    this.sendL1({ kind: 'waspToNodeSubscribe', address: this.keyPair.address });
    this.sendL1({ kind: 'waspToNodeGetOutputs', address: this.keyPair.address });
  }

  balanceIotas(): bigint {
    let sum = 0n;
    for (const o of this.outputs) sum += o.balances.get(colorKey(COLOR_IOTA)) ?? 0n;
    return sum;
  }

  requestFunds(): void {
    this.sendL1({ kind: 'waspToNodeRequestFunds', address: this.keyPair.address });
  }

  /** Runs `build` on the currently spendable outputs, posts the transaction and waits for its confirmation. */
  spend(build: (funds: readonly WalletOutput[]) => ValueTransaction): Promise<TransactionID> {
    const run = this.spendChain.catch(() => undefined).then(async () => {
      const tx = build(this.outputs.filter((o) => !this.spentPending.has(toHex(o.id.txId))));
      const txId = transactionId(tx);
      for (const i of tx.inputs) this.spentPending.add(toHex(i.txId));
      const done = this.waitFor(txId);
      this.sendL1({ kind: 'waspToNodeTransaction', tx });
      // Pull (spec: nodeconn is session-less; ask again until answered): a transaction that leaves no change for
      // us produces no address update, so its inclusion state is how we learn it was confirmed.
      const poll = setInterval(() => this.sendL1({ kind: 'waspToNodeGetTxInclusionLevel', txId, address: this.keyPair.address }), 300);
      try {
        await done;
      } finally {
        clearInterval(poll);
        for (const i of tx.inputs) this.spentPending.delete(toHex(i.txId));
      }
      return txId;
    });
    this.spendChain = run;
    return run;
  }

  /** Resolves when L1 confirms the transaction (seen as an update of our address), rejects when L1 rejects it. */
  waitFor(txId: TransactionID): Promise<void> {
    const key = toHex(txId);
    if (this.waiters.size >= WAITERS_MAX) return Promise.reject(new Error('too many wallet transactions waiting for L1'));
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(key);
        reject(new Error(`L1 did not confirm transaction ${txIdToString(txId).slice(0, 10)}… within ${WALLET_CONFIRM_TIMEOUT_MS / 1000} s`));
      }, WALLET_CONFIRM_TIMEOUT_MS);
      this.waiters.set(key, {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  }

  /** Returns true when the message was about this wallet. */
  onL1(m: WaspFromNode): boolean {
    switch (m.kind) {
      case 'waspFromNodeAddressUpdate':
      case 'waspFromNodeAddressOutputs':
        if (!addressEquals(m.address, this.keyPair.address)) return false;
        this.outputs = m.outputs.map((o) => ({ id: { txId: o.txId, address: this.keyPair.address }, balances: o.balances as Balances }));
        if (m.kind === 'waspFromNodeAddressUpdate') this.settle(transactionId(m.tx), undefined);
        for (const o of m.outputs) this.settle(o.txId, undefined);
        this.onChange();
        return true;
      case 'waspFromNodeTransactionInclusionState':
        if (!addressEquals(m.address, this.keyPair.address)) return false;
        if (m.state === 'rejected' && m.txId.every((b) => b === 0)) {
          // The hub could not even parse/validate it (no ID to name): it is the one in flight (spends are serialized).
          for (const k of [...this.waiters.keys()]) this.settleKey(k, new Error(`L1 rejected the transaction: ${m.reason || 'no reason given'}`));
        } else if (m.state === 'rejected') this.settle(m.txId, new Error(`L1 rejected the transaction: ${m.reason || 'no reason given'}`));
        else if (m.state === 'confirmed') this.settle(m.txId, undefined);
        return true;
      case 'waspFromNodeConfirmedTransaction':
        return false;
    }
  }

  private settle(txId: TransactionID, err: Error | undefined): void {
    this.settleKey(toHex(txId), err);
  }

  private settleKey(key: string, err: Error | undefined): void {
    const w = this.waiters.get(key);
    if (!w) return;
    this.waiters.delete(key);
    if (err) w.reject(err);
    else w.resolve();
  }
}
