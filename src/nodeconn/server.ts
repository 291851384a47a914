import { AddressKind, addressKey, addressToString, outputIDKey, TX_ID_SIZE, type Address, type TransactionID } from '../protocol/ids';
import { ValidationError } from '../protocol/errors';
import { transactionId, type ValueTransaction } from '../protocol/transaction';
import type { Ledger, LedgerEvent, LedgerOutput, SubmitResult } from '../ledger/ledger';
import { FAUCET_BATCH_MAX, type Faucet } from '../ledger/faucet';
import { NODECONN_LIMITS } from './limits';
import type { AddressOutput, WaspFromNode, WaspToNode } from './messages';

/** One connected client (a committee node, a wallet, the CLI). */
export interface NodeConnSession {
  readonly sessionId: number;
  /** From waspToNodeSetId: only for logs. */
  label: string;
  readonly subscriptions: Map<string, Address>;
}

export const SESSION_SUBSCRIPTIONS_MAX = 1024;

export type NodeConnLog = (line: string) => void;

/**
 * The address an inclusion state names when the transaction has none to offer (it did not decode, or has no
 * outputs): the client matches answers by tx ID, the address is informational.
 */
const faucetRefusal = (address: Address, why: string): WaspFromNode => ({ kind: 'waspFromNodeTransactionInclusionState', txId: new Uint8Array(TX_ID_SIZE), address, state: 'rejected', reason: clip(`faucet: ${why}`) });

export const NO_ADDRESS: Address = { kind: AddressKind.Ed25519, digest: new Uint8Array(32) };

/**
 * The hub side of the protocol (Goshimmer's WaspConn), pure: a message in gives messages out, given the ledger.
 * Extensions to the spec, each so a wallet need not guess: a posted transaction (or a faucet request) is answered
 * with its inclusion state, and a subscription with the address's current outputs (the backlog; the client
 * fetches the transactions it needs with waspToNodeGetConfirmedTransaction, as the spec's backlog fetch does).
 */
export class NodeConnServer {
  private nextSessionId = 1;
  private readonly sessions = new Map<number, NodeConnSession>();
  /** Called after anything was booked, so the runtime can schedule the ledger's next tick. */
  onBooked: () => void = () => {};
  /** Faucet requests that passed the limits, waiting for flushFaucet (bounded by the faucet's rate limit). */
  private faucetQueue: { session: NodeConnSession; address: Address }[] = [];
  /** Called when a faucet request was queued, so the runtime can schedule flushFaucet (soon: a client waits). */
  onFaucetQueued: () => void = () => {};

  constructor(
    private readonly ledger: Ledger,
    private readonly faucet: Faucet | undefined,
    private readonly log: NodeConnLog = () => {},
    /** Lets the hub persist before booking; defaults to booking directly. */
    private readonly submit: (tx: ValueTransaction, nowMs: number) => SubmitResult = (tx, nowMs) => ledger.submit(tx, nowMs),
  ) {}

  openSession(): NodeConnSession {
    const s: NodeConnSession = { sessionId: this.nextSessionId++, label: '', subscriptions: new Map() };
    this.sessions.set(s.sessionId, s);
    return s;
  }

  closeSession(s: NodeConnSession): void {
    for (const a of s.subscriptions.values()) this.ledger.unsubscribe(a);
    s.subscriptions.clear();
    this.sessions.delete(s.sessionId);
  }

  handle(s: NodeConnSession, m: WaspToNode, nowMs: number): WaspFromNode[] {
    switch (m.kind) {
      case 'waspToNodeTransaction':
        return [this.post(m.tx, nowMs)];
      case 'waspToNodeRequestFunds': {
        // Limits are checked (and counted) now; the payout waits for flushFaucet, which pays the queue in batches.
        try {
          if (!this.faucet) fail('this hub has no faucet');
          this.faucet.reserve(m.address);
        } catch (e) {
          this.log(`faucet refused ${addressToString(m.address)}: ${(e as Error).message}`);
          return [faucetRefusal(m.address, (e as Error).message)];
        }
        this.faucetQueue.push({ session: s, address: m.address });
        this.onFaucetQueued();
        return [];
      }
      case 'waspToNodeSubscribe': {
        const k = addressKey(m.address);
        if (!s.subscriptions.has(k)) {
          if (s.subscriptions.size >= SESSION_SUBSCRIPTIONS_MAX) {
            this.log(`session ${s.sessionId} ${s.label}: subscription limit ${SESSION_SUBSCRIPTIONS_MAX} reached, ignoring ${addressToString(m.address)}`);
            return [];
          }
          s.subscriptions.set(k, m.address);
          this.ledger.subscribe(m.address);
        }
        return [this.addressOutputs(m.address)];
      }
      case 'waspToNodeGetOutputs':
        return [this.addressOutputs(m.address)];
      case 'waspToNodeGetConfirmedTransaction': {
        const tx = this.ledger.getConfirmedTransaction(m.txId);
        return tx ? [{ kind: 'waspFromNodeConfirmedTransaction', tx }] : [];
      }
      case 'waspToNodeGetTxInclusionLevel': {
        const st = this.ledger.getInclusionState(m.txId);
        return st ? [{ kind: 'waspFromNodeTransactionInclusionState', txId: m.txId, address: m.address, state: st.state, reason: clip(st.reason) }] : [];
      }
      case 'waspToNodeSetId':
        s.label = m.id;
        this.log(`session ${s.sessionId} is '${m.id}'`);
        return [];
    }
  }

  /**
   * handle(), guarded: an unexpected error (a bug, a failing disk) is logged and never thrown. A transaction or
   * faucet request is still answered — with the ledger's state if it knows the transaction, else rejected with
   * the error as the reason; any other message has no answer that can carry a reason, so `reset` asks the
   * binding to reset the stream (the client reconnects and asks again).
   */
  handleGuarded(s: NodeConnSession, m: WaspToNode, nowMs: number): { replies: WaspFromNode[]; reset: boolean } {
    try {
      return { replies: this.handle(s, m, nowMs), reset: false };
    } catch (e) {
      const why = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      this.log(`nodeconn: error handling ${m.kind} from session ${s.sessionId} ${s.label}: ${why}`);
      if (m.kind === 'waspToNodeTransaction') {
        let txId: TransactionID;
        try {
          txId = transactionId(m.tx);
        } catch {
          txId = new Uint8Array(TX_ID_SIZE);
        }
        const known = this.ledger.getInclusionState(txId);
        const address = m.tx.outputs[0]?.address ?? NO_ADDRESS;
        if (known) return { replies: [{ kind: 'waspFromNodeTransactionInclusionState', txId, address, state: known.state, reason: clip(known.reason) }], reset: false };
        return { replies: [{ kind: 'waspFromNodeTransactionInclusionState', txId, address, state: 'rejected', reason: clip(`hub error: ${why}`) }], reset: false };
      }
      if (m.kind === 'waspToNodeRequestFunds')
        return { replies: [{ kind: 'waspFromNodeTransactionInclusionState', txId: new Uint8Array(TX_ID_SIZE), address: m.address, state: 'rejected', reason: clip(`faucet: hub error: ${why}`) }], reset: false };
      return { replies: [], reset: true };
    }
  }

  /** The answer to a waspToNodeTransaction whose transaction did not decode (codec's MalformedTransactionError). */
  malformedTransaction(s: NodeConnSession, txId: TransactionID, reason: string): WaspFromNode {
    this.log(`nodeconn: session ${s.sessionId} ${s.label} posted a malformed transaction: ${reason}`);
    return { kind: 'waspFromNodeTransactionInclusionState', txId, address: NO_ADDRESS, state: 'rejected', reason: clip(`malformed transaction: ${reason}`) };
  }

  /** Faucet requests waiting for flushFaucet. */
  get faucetQueued(): number {
    return this.faucetQueue.length;
  }

  /**
   * Pays every queued faucet request, FAUCET_BATCH_MAX per transaction, and answers each requester with the
   * inclusion state of the transaction that pays it. Requests of a closed session are still paid (they were
   * counted); the answer has nowhere to go.
   */
  flushFaucet(nowMs: number): { session: NodeConnSession; message: WaspFromNode }[] {
    const out: { session: NodeConnSession; message: WaspFromNode }[] = [];
    while (this.faucetQueue.length > 0 && this.faucet) {
      const batch = this.faucetQueue.splice(0, FAUCET_BATCH_MAX);
      let tx: ValueTransaction;
      try {
        tx = this.faucet.build(batch.map((q) => q.address));
      } catch (e) {
        const why = (e as Error).message;
        this.log(`faucet could not pay ${batch.length} request(s): ${why}`);
        for (const q of batch) {
          this.faucet.release(q.address);
          out.push({ session: q.session, message: faucetRefusal(q.address, why) });
        }
        continue;
      }
      const r = this.post(tx, nowMs);
      for (const q of batch) out.push({ session: q.session, message: { ...r, address: q.address } as WaspFromNode });
    }
    return out;
  }

  /**
   * Routes the ledger's drained events to the sessions subscribed to each address. Per address and per call (one
   * confirmation tick): ONE AddressUpdate with the outputs after all of the tick's confirmations and the tick's
   * last transaction to it, then a ConfirmedTransaction for each of its other transactions — so a tick confirming
   * R requests lists the chain's outputs once, not R times (docs/protocol.md "Node connection"). The update comes
   * first, so each transaction arrives when its output is already known to the receiver's backlog.
   */
  route(events: readonly LedgerEvent[]): { session: NodeConnSession; message: WaspFromNode }[] {
    const byAddress = new Map<string, { address: Address; txs: ValueTransaction[] }>();
    for (const e of events) {
      if (e.kind !== 'addressUpdate') continue;
      const k = addressKey(e.address);
      const g = byAddress.get(k) ?? { address: e.address, txs: [] };
      g.txs.push(e.tx);
      byAddress.set(k, g);
    }
    const out: { session: NodeConnSession; message: WaspFromNode }[] = [];
    for (const [k, g] of byAddress) {
      const sessions = [...this.sessions.values()].filter((s) => s.subscriptions.has(k));
      if (sessions.length === 0) continue;
      const outputs = this.toWire(g.address, this.ledger.getOutputs(g.address));
      const last = g.txs[g.txs.length - 1] as ValueTransaction;
      for (const s of sessions) {
        out.push({ session: s, message: { kind: 'waspFromNodeAddressUpdate', address: g.address, outputs, tx: last } });
        for (const tx of g.txs.slice(0, -1)) out.push({ session: s, message: { kind: 'waspFromNodeConfirmedTransaction', tx } });
      }
    }
    return out;
  }

  private post(tx: ValueTransaction, nowMs: number, replyAddress?: Address): WaspFromNode {
    let r: SubmitResult;
    try {
      r = this.submit(tx, nowMs);
    } catch (e) {
      // Only a value that cannot be encoded throws, and decoded transactions always can: log loudly.
      if (!(e instanceof ValidationError)) throw e;
      this.log(`unencodable transaction refused: ${e.message}`);
      return { kind: 'waspFromNodeTransactionInclusionState', txId: new Uint8Array(TX_ID_SIZE), address: replyAddress ?? tx.outputs[0]?.address ?? NO_ADDRESS, state: 'rejected', reason: clip(e.message) };
    }
    if (r.state === 'booked' && !r.duplicate) this.onBooked();
    // A rejected transaction may have no outputs at all (the decoder refuses those, an in-memory one may not).
    const address = replyAddress ?? tx.outputs[0]?.address ?? NO_ADDRESS;
    return { kind: 'waspFromNodeTransactionInclusionState', txId: r.txId, address, state: r.state, reason: r.state === 'rejected' ? clip(r.reason) : '' };
  }

  private addressOutputs(address: Address): WaspFromNode {
    return { kind: 'waspFromNodeAddressOutputs', address, outputs: this.toWire(address, this.ledger.getOutputs(address)) };
  }

  private toWire(address: Address, outputs: readonly LedgerOutput[]): AddressOutput[] {
    if (outputs.length > NODECONN_LIMITS.outputsPerMessageMax) {
      this.log(`address ${addressToString(address)} has ${outputs.length} outputs; reporting the first ${NODECONN_LIMITS.outputsPerMessageMax}`);
      outputs = [...outputs].sort((a, b) => (outputIDKey(a.id) < outputIDKey(b.id) ? -1 : 1)).slice(0, NODECONN_LIMITS.outputsPerMessageMax);
    }
    return outputs.map((o) => ({ txId: o.id.txId, balances: o.balances }));
  }
}

function clip(s: string): string {
  // The codec bounds reasons by bytes; cut by characters with margin for multi-byte UTF-8.
  return s.length > NODECONN_LIMITS.reasonBytesMax / 4 ? s.slice(0, NODECONN_LIMITS.reasonBytesMax / 4) : s;
}

function fail(msg: string): never {
  throw new Error(msg);
}
