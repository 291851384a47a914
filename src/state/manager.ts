import {
  decodeSCPayload,
  equalBytes,
  toHex,
  txIdToString,
  bookedOutputBalances,
  type Address,
  type AddressOutput,
  type Color,
  type RequestID,
  type StateSection,
  type TransactionID,
  type ValueTransaction,
} from '../protocol';
import type { ProtocolEventKind } from '../protocol/events';
import type { Block, Mutation } from './types';
import { VirtualState } from './vstate';
import { syncBlockProblem } from './sync-check';

/** Bounds and timeouts of the state manager. */
export const STATE_MANAGER_PARAMS = {
  /** Block candidates kept while their anchors are pending (one per round this node computed). */
  pendingBlocksMax: 64,
  /** Wasp: ask the next peer after 1 s without an answer. */
  syncRetryMs: 1_000,
  /** How often to re-ask L1 for a transaction that has not arrived. */
  txRetryMs: 1_000,
  /**
   * A block from a peer whose anchor L1 has not produced in this long is dropped and the next peer asked: the
   * anchor of a committed block is confirmed, so it is a made-up ID (or L1 is down, and waiting is all one can do).
   */
  syncAnchorWaitMs: 3_000,
  /** Refused sync answers remembered (the latest ones; the dashboard and tests read them). */
  syncRefusedKept: 32,
} as const;

/** A block a peer served that failed the checks: the peer is recorded as misbehaving. */
export interface SyncRefusal {
  readonly peer: string;
  readonly blockIndex: number;
  readonly reason: string;
}

/** The solid state the operator builds on (spec "Consensus on computations": the current state + anchor). */
export interface SolidBase {
  readonly state: VirtualState;
  readonly anchorTx: ValueTransaction;
  readonly anchorTxId: TransactionID;
  readonly chainUtxo: AddressOutput;
}

export type StateManagerEvent =
  /** The chain-token UTXO as L1 reports it (on every AddressUpdate/AddressOutputs). */
  | { readonly kind: 'chainUtxo'; readonly nowMs: number; readonly utxo: AddressOutput }
  /** A confirmed transaction from L1 (answer to getTx, or an AddressUpdate's tx). */
  | { readonly kind: 'transaction'; readonly nowMs: number; readonly tx: ValueTransaction; readonly txId: TransactionID }
  /** Spec step 14: this node's block candidate, keyed by the state hash it gives. */
  | { readonly kind: 'pendingBlock'; readonly nowMs: number; readonly block: Block; readonly stateHash: Uint8Array; readonly requestIds: readonly RequestID[] }
  /** A peer answered a sync request. */
  | { readonly kind: 'syncBlock'; readonly nowMs: number; readonly from: string; readonly block: Block }
  | { readonly kind: 'tick'; readonly nowMs: number };

export type StateManagerAction =
  | { readonly kind: 'getTx'; readonly txId: TransactionID }
  | { readonly kind: 'syncRequest'; readonly to: string; readonly blockIndex: number }
  /** ONE atomic store write: block + its mutations + new state hash + processed request IDs. */
  | { readonly kind: 'commit'; readonly block: Block; readonly mutations: readonly Mutation[]; readonly stateHash: Uint8Array; readonly requestIds: readonly RequestID[] }
  /** The solid state moved (or was validated at start): the operator starts a new round on it. */
  | { readonly kind: 'stateTransition'; readonly base: SolidBase }
  | { readonly kind: 'event'; readonly event: { readonly kind: ProtocolEventKind; readonly text: string } };

/** Fetching one block from peers: whom it asked (only that peer's answer counts) and what came back. */
interface SyncProgress {
  readonly blockIndex: number;
  peerPos: number;
  askedAtMs: number;
  asked: string | null;
  block: Block | null;
  blockAtMs: number;
}

interface Pending {
  readonly block: Block;
  readonly requestIds: readonly RequestID[];
}

/**
 * The state manager of one chain on one node (spec "Modules of the Wasp node", "Synchronizing between nodes").
 * Pure: events in, actions out. It holds the solid state in memory, validates every block against its anchor
 * transaction on L1 and only then emits `commit`:
 *  - its own block candidates wait (keyed by resulting state hash) until an anchor carrying that hash is
 *    confirmed as the holder of the chain token;
 *  - when L1 shows an anchor further ahead, it asks peers for block L+1 (along `peers`, rotating on timeout),
 *    takes the answer only from the peer it asked, checks it against that block's anchor transaction
 *    (syncBlockProblem: the anchor spends the previous anchor output, carries the chain token, names this chain,
 *    index and state hash), applies it, repeats. A peer whose block fails is recorded (syncRefusals) and asked
 *    only after the others from then on.
 * Committee members and access nodes run the same code.
 */
export class StateManager {
  private solid: VirtualState;
  private anchorTx: ValueTransaction | null = null;
  private anchorTxId: TransactionID | null;
  /** Latest chain-token UTXO L1 reported. */
  private target: AddressOutput | null = null;
  private readonly txs = new Map<string, ValueTransaction>();
  private readonly txAskedAt = new Map<string, number>();
  private readonly pending = new Map<string, Pending>();
  private sync: SyncProgress | null = null;
  /** Rotation position of the peer that served the last synced block: the next block is asked there first. */
  private syncPos = 0;
  /** Peers that served a forged block: asked last from then on. */
  private readonly misbehaving = new Set<string>();
  private readonly refusals: SyncRefusal[] = [];
  private announced = false;
  private out: StateManagerAction[] = [];

  constructor(
    readonly chainAddress: Address,
    readonly chainColor: Color,
    /** Node IDs to sync from, in a fixed order (this node excluded). */
    private readonly peers: readonly string[],
    /** The restored solid state (origin state for a fresh chain) and its anchor tx ID if stored. */
    restored: { state: VirtualState; anchorTxId: TransactionID | null },
  ) {
    this.solid = restored.state;
    this.anchorTxId = restored.anchorTxId;
  }

  get state(): VirtualState {
    return this.solid;
  }
  get solidAnchorTxId(): TransactionID | null {
    return this.anchorTxId;
  }
  /** Block index the chain is at on L1 as far as this node knows (null until the first report). */
  get targetIndex(): number | null {
    const t = this.target && this.txs.get(toHex(this.target.txId));
    return t ? (stateSectionOf(t)?.blockIndex ?? null) : null;
  }
  /** The latest sync answers refused (newest last), each naming the peer and why. */
  get syncRefusals(): readonly SyncRefusal[] {
    return this.refusals;
  }
  get synced(): boolean {
    return this.announced && this.target !== null && this.anchorTxId !== null && equalBytes(this.target.txId, this.anchorTxId);
  }

  handle(ev: StateManagerEvent): StateManagerAction[] {
    this.out = [];
    switch (ev.kind) {
      case 'chainUtxo':
        if (!this.target || !equalBytes(this.target.txId, ev.utxo.txId)) this.target = ev.utxo;
        break;
      case 'transaction':
        this.txs.set(toHex(ev.txId), ev.tx);
        this.txAskedAt.delete(toHex(ev.txId));
        break;
      case 'pendingBlock':
        if (ev.block.blockIndex === this.solid.blockIndex + 1) {
          this.pending.set(toHex(ev.stateHash), { block: ev.block, requestIds: ev.requestIds });
          while (this.pending.size > STATE_MANAGER_PARAMS.pendingBlocksMax) this.pending.delete(this.pending.keys().next().value as string);
        }
        break;
      case 'syncBlock':
        // Only the peer asked may answer: a block nobody asked for (or from someone else) is dropped unread.
        if (this.sync && !this.sync.block && ev.from === this.sync.asked && ev.block.blockIndex === this.sync.blockIndex) {
          this.sync.block = ev.block;
          this.sync.blockAtMs = ev.nowMs;
        }
        break;
      case 'tick':
        break;
    }
    this.advance(ev.nowMs);
    const out = this.out;
    this.out = [];
    return out;
  }

  /** Moves the solid state toward the L1 tip as far as known data allows. Bounded: one step per known block. */
  private advance(nowMs: number): void {
    for (let steps = 0; steps < 1_000; steps++) {
      if (!this.target) return;
      const tipTx = this.needTx(this.target.txId, nowMs);
      if (!tipTx) return;
      const tip = stateSectionOf(tipTx);
      if (!tip) return this.note('syncRequest', `Chain-token UTXO ${txIdToString(this.target.txId).slice(0, 10)}… is not an anchor: ignored.`);
      const L = this.solid.blockIndex;
      if (tip.blockIndex < L) return; // L1 report older than our state (delayed message)
      if (tip.blockIndex === L) {
        if (!equalBytes(tip.stateHash, this.solid.stateHash)) {
          return this.note('stateTransition', `INCONSISTENT: anchor of block #${L} carries state hash ${toHex(tip.stateHash).slice(0, 12)}…, the solid state has ${toHex(this.solid.stateHash).slice(0, 12)}…. Chain halted on this node.`);
        }
        if (!this.anchorTx || !this.anchorTxId || !equalBytes(this.anchorTxId, this.target.txId) || !this.announced) {
          this.anchorTx = tipTx;
          this.anchorTxId = this.target.txId;
          this.announce();
        }
        return;
      }
      // The tip is ahead: the next block is either our own candidate (tip = L+1) or comes from a peer.
      if (tip.blockIndex === L + 1) {
        const p = this.pending.get(toHex(tip.stateHash));
        if (p) {
          this.commit(p.block, this.target.txId, tipTx, p.requestIds, 'own');
          continue;
        }
      }
      if (!this.syncStep(L + 1, nowMs)) return;
    }
  }

  /** One sync step for block `index`; true when it committed a block. */
  private syncStep(index: number, nowMs: number): boolean {
    // A new block starts with the peer that served the last one (it has the blocks; no need to rotate again).
    if (!this.sync || this.sync.blockIndex !== index) this.sync = { blockIndex: index, peerPos: this.syncPos, askedAtMs: -Infinity, asked: null, block: null, blockAtMs: 0 };
    const s = this.sync;
    if (s.block) {
      const verdict = this.checkSynced(s, nowMs);
      if (verdict === 'committed') return true;
      if (verdict === 'wait') return false;
    }
    if (this.peers.length === 0) return false;
    if (nowMs - s.askedAtMs >= STATE_MANAGER_PARAMS.syncRetryMs) {
      if (s.askedAtMs !== -Infinity) s.peerPos++;
      s.askedAtMs = nowMs;
      const to = this.peerAt(s.peerPos);
      s.asked = to;
      this.out.push({ kind: 'syncRequest', to, blockIndex: index });
      this.note('syncRequest', `Behind L1: asking ${to.slice(0, 8)} for block #${index}.`);
    }
    return false;
  }

  /** The asked peer's block: committed, refused (ask the next peer), or waiting for its anchor from L1. */
  private checkSynced(s: SyncProgress, nowMs: number): 'committed' | 'refused' | 'wait' {
    const b = s.block as Block;
    const tx = this.needTx(b.anchorTxId, nowMs);
    if (!tx) {
      if (nowMs - s.blockAtMs < STATE_MANAGER_PARAMS.syncAnchorWaitMs) return 'wait';
      this.refuse(s, `its anchor ${txIdToString(b.anchorTxId).slice(0, 10)}… is not a confirmed transaction on L1`);
      return 'refused';
    }
    const prev = this.anchorTxId ?? (this.solid.blockIndex === 0 ? this.chainColor : null);
    const problem = prev
      ? syncBlockProblem(b, { chainAddress: this.chainAddress, chainColor: this.chainColor, blockIndex: s.blockIndex, solid: this.solid, prevAnchorTxId: prev, anchorTx: tx })
      : 'the solid state has no known anchor to check against';
    if (problem) {
      this.refuse(s, problem);
      return 'refused';
    }
    this.syncPos = s.peerPos;
    this.commit(b, b.anchorTxId, tx, b.updates.flatMap((u) => (u.requestId ? [u.requestId] : [])), 'sync');
    return 'committed';
  }

  /** The peer to ask at rotation position `pos`: honest-looking peers first, misbehaving ones only after them. */
  private peerAt(pos: number): string {
    const good = this.peers.filter((p) => !this.misbehaving.has(p));
    const order = good.length > 0 ? good : this.peers;
    return order[pos % order.length] as string;
  }

  /** The asked peer's block failed a check: record the peer as misbehaving and ask the next one at once. */
  private refuse(s: SyncProgress, reason: string): void {
    const peer = s.asked ?? '?';
    this.misbehaving.add(peer);
    this.refusals.push({ peer, blockIndex: s.blockIndex, reason });
    if (this.refusals.length > STATE_MANAGER_PARAMS.syncRefusedKept) this.refusals.shift();
    this.note('syncBlock', `Refused block #${s.blockIndex} from ${peer.slice(0, 8)}: ${reason}. Recorded it as misbehaving; asking another peer.`);
    s.block = null;
    s.asked = null;
    // Ask at once (the next syncStep call), one position on.
    s.peerPos++;
    s.askedAtMs = -Infinity;
  }

  private commit(block: Block, anchorTxId: TransactionID, anchorTx: ValueTransaction, requestIds: readonly RequestID[], how: 'own' | 'sync'): void {
    const withAnchor: Block = { ...block, anchorTxId };
    this.solid.applyBlock(withAnchor);
    this.anchorTx = anchorTx;
    this.anchorTxId = anchorTxId;
    this.pending.clear();
    this.sync = null;
    this.out.push({ kind: 'commit', block: withAnchor, mutations: block.updates.flatMap((u) => u.mutations), stateHash: this.solid.stateHash, requestIds });
    this.note(how === 'own' ? 'anchorConfirmed' : 'syncBlock', `${how === 'own' ? 'Anchor confirmed' : 'Synced from a peer'}: committed block #${block.blockIndex} (${requestIds.length} request(s)), state hash ${toHex(this.solid.stateHash).slice(0, 12)}….`);
    this.announced = false;
    this.pruneTxCache();
  }

  private announce(): void {
    const tx = this.anchorTx as ValueTransaction;
    const id = this.anchorTxId as TransactionID;
    const balances = bookedOutputBalances(tx, id, this.chainAddress);
    if (!balances) return this.note('stateTransition', 'Anchor has no output to the chain address: ignored.');
    this.announced = true;
    this.out.push({ kind: 'stateTransition', base: { state: this.solid, anchorTx: tx, anchorTxId: id, chainUtxo: { txId: id, balances } } });
    this.note('stateTransition', `State #${this.solid.blockIndex} is solid and anchored by ${txIdToString(id).slice(0, 10)}….`);
  }

  private needTx(txId: TransactionID, nowMs: number): ValueTransaction | null {
    const k = toHex(txId);
    const tx = this.txs.get(k);
    if (tx) return tx;
    const asked = this.txAskedAt.get(k);
    if (asked === undefined || nowMs - asked >= STATE_MANAGER_PARAMS.txRetryMs) {
      this.txAskedAt.set(k, nowMs);
      this.out.push({ kind: 'getTx', txId });
    }
    return null;
  }

  private note(kind: ProtocolEventKind, text: string): void {
    this.out.push({ kind: 'event', event: { kind, text } });
  }

  /** Forget cached transactions except the tip's (bounded memory on long chains). */
  pruneTxCache(): void {
    const keep = new Set([this.target ? toHex(this.target.txId) : '', this.anchorTxId ? toHex(this.anchorTxId) : '']);
    for (const k of [...this.txs.keys()]) if (!keep.has(k)) this.txs.delete(k);
  }
}

/** The state section of an anchor transaction, or null. */
export function stateSectionOf(tx: ValueTransaction): StateSection | null {
  try {
    return decodeSCPayload(tx.dataPayload)?.state ?? null;
  } catch {
    return null;
  }
}

