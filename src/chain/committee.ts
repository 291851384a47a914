import {
  addressEquals,
  decodeSCPayload,
  addressToString,
  equalBytes,
  transactionId,
  txIdToString,
  type Address,
  type RequestID,
  type TransactionID,
  type ValueTransaction,
} from '../protocol';
import type { WaspFromNode, WaspToNode } from '../nodeconn/messages';
import type { BootupRecord } from '../state/store';
import type { Block, Mutation } from '../state/types';
import type { VirtualState } from '../state/vstate';
import { StateManager, type StateManagerAction } from '../state/manager';
import { Backlog } from '../consensus/backlog';
import { ConsensusOperator, type OperatorAction, type OperatorStage } from '../consensus/operator';
import type { ConsensusMsg } from '../consensus/messages';
import type { ThresholdSigner } from '../consensus/signer';
import type { ConsensusTimeouts } from '../consensus/params';
import type { Evidence } from '../consensus/evidence';
import type { VmOutcome, VmTask } from '../consensus/vm-port';
import type { ProtocolEventKind } from '../protocol/events';

/** What a committee object asks its node runtime to do. */
export type CommitteeAction =
  | { readonly kind: 'peerSend'; readonly to: string; readonly msg: ConsensusMsg }
  | { readonly kind: 'syncRequest'; readonly to: string; readonly blockIndex: number }
  | { readonly kind: 'l1Send'; readonly msg: WaspToNode }
  | { readonly kind: 'runVM'; readonly roundKey: string; readonly task: VmTask }
  | { readonly kind: 'commit'; readonly block: Block; readonly mutations: readonly Mutation[]; readonly stateHash: Uint8Array; readonly requestIds: readonly RequestID[] }
  | { readonly kind: 'event'; readonly event: { readonly kind: ProtocolEventKind; readonly text: string; readonly direction?: 'sent' | 'received' | 'local'; readonly peer?: string } };

export interface CommitteeConfig {
  readonly record: BootupRecord;
  readonly myNodeId: string;
  /** Null on an access node (no key share: it only syncs and serves views). */
  readonly signer: ThresholdSigner | null;
  readonly timeouts: ConsensusTimeouts;
  readonly rewardAddress: Address;
  readonly isRequestProcessed: (state: VirtualState, id: RequestID) => boolean;
  readonly restored: { readonly state: VirtualState; readonly anchorTxId: TransactionID | null };
}

/** The committee's own bounds and polling periods (the consensus and state-manager ones live with them). */
export const COMMITTEE_LIMITS = {
  /** Anchors remembered for the dashboard. */
  anchorsShownMax: 32,
  /** An anchor not yet confirmed or rejected is asked about this often (members learn a rejection only so)... */
  anchorPollMs: 1_000,
  /** ...for at most this long after it was first seen (an unknown or forgotten tx gets no answer from L1). */
  anchorPollForMs: 60_000,
  /** How often the committee re-pulls the chain address outputs (the protocol is pull-on-timeout). */
  outputsPollMs: 2_000,
  /**
   * A request transaction the backlog asked L1 for is asked again after this many consensus re-send periods:
   * slower than a re-send (L1 answers reliably, peers may not), quick enough that a lost answer costs a round.
   */
  backlogRetryResends: 4,
} as const;

export type AnchorInclusion = 'posted' | 'booked' | 'confirmed' | 'rejected';
/** What the dashboard lists: one anchor transaction of the chain and its inclusion state on L1. */
export interface AnchorView {
  readonly txId: string;
  readonly blockIndex: number;
  readonly state: AnchorInclusion;
}
/** Inclusion only moves forward: a late 'booked' answer never hides a confirmation. */
const INCLUSION_RANK: Readonly<Record<AnchorInclusion, number>> = { posted: 0, booked: 1, confirmed: 2, rejected: 2 };

/**
 * The spec's committee object: one per chain on a node, holding the state manager and the consensus operator
 * (and the backlog they share). Pure: routes L1 messages, peer messages and ticks into them and returns actions.
 */
export class Committee {
  readonly chainAddress: Address;
  readonly backlog: Backlog;
  readonly stateManager: StateManager;
  readonly operator: ConsensusOperator | null;
  private readonly peerIds: string[];
  private lastOutputsPollMs = -Infinity;
  /**
   * Anchor transactions of this chain, oldest first, on every member alike: learned from the leader's
   * anchorPosted message (or our own posting) and from L1 itself — an anchor consumes the chain-token UTXO, so
   * it reaches every member as an address update / confirmed transaction of the chain address once confirmed.
   */
  readonly anchors: AnchorView[] = [];
  private readonly anchorPolls = new Map<string, { readonly txId: TransactionID; readonly sinceMs: number; lastMs: number }>();
  private out: CommitteeAction[] = [];

  constructor(private readonly cfg: CommitteeConfig) {
    const r = cfg.record;
    this.chainAddress = r.chainAddress;
    this.backlog = new Backlog(r.chainAddress, r.chainColor, cfg.timeouts.resendMs * COMMITTEE_LIMITS.backlogRetryResends);
    this.peerIds = [...r.committeeNodeIds, ...(r.accessNodeIds ?? [])].filter((id) => id !== cfg.myNodeId);
    this.stateManager = new StateManager(r.chainAddress, r.chainColor, this.peerIds, cfg.restored);
    this.operator =
      cfg.signer && r.myIndex !== null
        ? new ConsensusOperator(
            { chainAddress: r.chainAddress, chainColor: r.chainColor, signer: cfg.signer, timeouts: cfg.timeouts, rewardAddress: cfg.rewardAddress, isRequestProcessed: cfg.isRequestProcessed },
            this.backlog,
          )
        : null;
  }

  /** Activation (spec "Activation of SC"): subscribe to the chain address and pull its outputs. */
  start(nowMs: number): CommitteeAction[] {
    this.out = [];
    this.out.push({ kind: 'l1Send', msg: { kind: 'waspToNodeSubscribe', address: this.chainAddress } });
    this.pollOutputs(nowMs);
    return this.flush();
  }

  onL1Message(msg: WaspFromNode, nowMs: number): CommitteeAction[] {
    this.out = [];
    switch (msg.kind) {
      case 'waspFromNodeAddressUpdate':
      case 'waspFromNodeAddressOutputs':
        if (!addressEquals(msg.address, this.chainAddress)) break;
        this.backlog.setOutputs(msg.outputs);
        if (msg.kind === 'waspFromNodeAddressUpdate') this.onTransaction(msg.tx, nowMs);
        this.afterOutputs(nowMs);
        break;
      case 'waspFromNodeConfirmedTransaction':
        this.onTransaction(msg.tx, nowMs);
        break;
      case 'waspFromNodeTransactionInclusionState': {
        const key = txIdToString(msg.txId);
        if (this.anchors.some((x) => x.txId === key)) this.noteAnchor(msg.txId, null, msg.state, nowMs);
        this.operatorDo({ kind: 'anchorInclusion', nowMs, txId: msg.txId, state: msg.state, reason: msg.reason });
        break;
      }
    }
    return this.flush();
  }

  onPeerMessage(fromNodeId: string, msg: ConsensusMsg, nowMs: number): CommitteeAction[] {
    this.out = [];
    const from = this.cfg.record.committeeNodeIds.indexOf(fromNodeId);
    // The peering layer authenticates fromNodeId; a node outside the committee has no say in consensus.
    if (from < 0) return this.flush();
    if (msg.kind === 'anchorPosted') this.noteAnchor(msg.anchorTxId, msg.round.blockIndex + 1, 'posted', nowMs);
    this.operatorDo({ kind: 'peerMessage', nowMs, from, msg });
    return this.flush();
  }

  onSyncBlock(fromNodeId: string, block: Block, nowMs: number): CommitteeAction[] {
    this.out = [];
    this.smDo({ kind: 'syncBlock', nowMs, from: fromNodeId, block });
    return this.flush();
  }

  onVmResult(roundKey: string, outcome: VmOutcome | { readonly error: string }, nowMs: number): CommitteeAction[] {
    this.out = [];
    this.operatorDo({ kind: 'vmResult', nowMs, roundKey, outcome });
    return this.flush();
  }

  tick(nowMs: number): CommitteeAction[] {
    this.out = [];
    if (nowMs - this.lastOutputsPollMs >= COMMITTEE_LIMITS.outputsPollMs) this.pollOutputs(nowMs);
    this.pollAnchors(nowMs);
    for (const txId of this.backlog.fetchesDue(nowMs)) this.out.push({ kind: 'l1Send', msg: { kind: 'waspToNodeGetConfirmedTransaction', txId } });
    this.smDo({ kind: 'tick', nowMs });
    this.operatorDo({ kind: 'tick', nowMs });
    return this.flush();
  }

  get evidence(): readonly Evidence[] {
    return this.operator?.evidence ?? [];
  }

  snapshot(): { stage: OperatorStage; leader: string | null; leaderPos: number } {
    const s = this.operator?.snapshot();
    return { stage: s?.stage ?? 'idle', leader: s?.leader !== null && s?.leader !== undefined ? (this.cfg.record.committeeNodeIds[s.leader] ?? null) : null, leaderPos: s?.leaderPos ?? 0 };
  }

  /* ---------------------------------------------------------------- internals */

  private pollOutputs(nowMs: number): void {
    this.lastOutputsPollMs = nowMs;
    this.out.push({ kind: 'l1Send', msg: { kind: 'waspToNodeGetOutputs', address: this.chainAddress } });
  }

  private onTransaction(tx: ValueTransaction, nowMs: number): void {
    const txId = transactionId(tx);
    // Address updates and confirmed transactions carry only confirmed transactions.
    const block = this.anchorBlockIndex(tx);
    if (block !== null) this.noteAnchor(txId, block, 'confirmed', nowMs);
    this.smDo({ kind: 'transaction', nowMs, tx, txId });
    if (this.backlog.onTransaction(tx, txId)) this.operatorDo({ kind: 'backlogChanged', nowMs });
  }

  /**
   * The block index a transaction anchors on this chain, or null when it is no anchor of ours: an anchor spends an
   * output of the chain address (only the committee's BLS key can) and carries a state section with our color.
   */
  private anchorBlockIndex(tx: ValueTransaction): number | null {
    if (!tx.inputs.some((i) => addressEquals(i.address, this.chainAddress))) return null;
    let state;
    try {
      state = decodeSCPayload(tx.dataPayload)?.state;
    } catch {
      return null;
    }
    return state && equalBytes(state.chainColor, this.cfg.record.chainColor) ? state.blockIndex : null;
  }

  /** Adds or advances an anchor in the list (bounded); a not-yet-final one is polled on ticks. */
  private noteAnchor(txId: TransactionID, blockIndex: number | null, state: AnchorInclusion, nowMs: number): void {
    const key = txIdToString(txId);
    const i = this.anchors.findIndex((x) => x.txId === key);
    const old = i >= 0 ? this.anchors[i] : undefined;
    if (!old && blockIndex === null) return;
    const next: AnchorView = {
      txId: key,
      blockIndex: blockIndex ?? (old as AnchorView).blockIndex,
      state: old && INCLUSION_RANK[old.state] >= INCLUSION_RANK[state] ? old.state : state,
    };
    if (old) this.anchors[i] = next;
    else {
      // Kept in block order (a restarted node learns the tip anchor before any newer one).
      let at = this.anchors.length;
      while (at > 0 && (this.anchors[at - 1] as AnchorView).blockIndex > next.blockIndex) at--;
      this.anchors.splice(at, 0, next);
      if (this.anchors.length > COMMITTEE_LIMITS.anchorsShownMax) {
        const dropped = this.anchors.shift() as AnchorView;
        this.anchorPolls.delete(dropped.txId);
      }
    }
    if (INCLUSION_RANK[next.state] >= 2) this.anchorPolls.delete(key);
    else if (!this.anchorPolls.has(key) && this.anchors.some((x) => x.txId === key)) this.anchorPolls.set(key, { txId, sinceMs: nowMs, lastMs: nowMs });
  }

  private pollAnchors(nowMs: number): void {
    for (const [key, p] of this.anchorPolls) {
      if (nowMs - p.sinceMs > COMMITTEE_LIMITS.anchorPollForMs) {
        this.anchorPolls.delete(key);
        continue;
      }
      if (nowMs - p.lastMs < COMMITTEE_LIMITS.anchorPollMs) continue;
      p.lastMs = nowMs;
      this.out.push({ kind: 'l1Send', msg: { kind: 'waspToNodeGetTxInclusionLevel', txId: p.txId, address: this.chainAddress } });
    }
  }

  private afterOutputs(nowMs: number): void {
    const utxo = this.backlog.chainUtxo();
    if (utxo) this.smDo({ kind: 'chainUtxo', nowMs, utxo });
    for (const txId of this.backlog.fetchesDue(nowMs)) this.out.push({ kind: 'l1Send', msg: { kind: 'waspToNodeGetConfirmedTransaction', txId } });
    this.operatorDo({ kind: 'backlogChanged', nowMs });
  }

  private smDo(ev: Parameters<StateManager['handle']>[0]): void {
    for (const a of this.stateManager.handle(ev)) this.fromStateManager(a, ev.nowMs);
  }

  private fromStateManager(a: StateManagerAction, nowMs: number): void {
    switch (a.kind) {
      case 'getTx':
        this.out.push({ kind: 'l1Send', msg: { kind: 'waspToNodeGetConfirmedTransaction', txId: a.txId } });
        break;
      case 'syncRequest':
        this.out.push({ kind: 'syncRequest', to: a.to, blockIndex: a.blockIndex });
        break;
      case 'commit':
        this.out.push(a);
        break;
      case 'stateTransition':
        this.operatorDo({ kind: 'stateTransition', nowMs, base: a.base });
        break;
      case 'event':
        this.out.push({ kind: 'event', event: a.event });
        break;
    }
  }

  private operatorDo(ev: Parameters<ConsensusOperator['handle']>[0]): void {
    if (!this.operator) return;
    for (const a of this.operator.handle(ev)) this.fromOperator(a, ev.nowMs);
  }

  private fromOperator(a: OperatorAction, nowMs: number): void {
    const ids = this.cfg.record.committeeNodeIds;
    switch (a.kind) {
      case 'send':
        this.out.push({ kind: 'peerSend', to: ids[a.to] as string, msg: a.msg });
        break;
      case 'runVM':
        this.out.push(a);
        break;
      case 'pendingBlock':
        this.smDo({ kind: 'pendingBlock', nowMs, block: a.block, stateHash: a.stateHash, requestIds: a.requestIds });
        break;
      case 'postAnchor':
        this.out.push({ kind: 'l1Send', msg: { kind: 'waspToNodeTransaction', tx: a.tx } });
        this.noteAnchor(a.txId, this.stateManager.state.blockIndex + 1, 'posted', nowMs);
        break;
      case 'queryInclusion':
        this.out.push({ kind: 'l1Send', msg: { kind: 'waspToNodeGetTxInclusionLevel', txId: a.txId, address: this.chainAddress } });
        break;
      case 'event':
        this.out.push({ kind: 'event', event: { kind: a.event.kind, text: a.event.text, ...(a.event.direction ? { direction: a.event.direction } : {}), ...(a.event.peer !== undefined ? { peer: ids[a.event.peer] ?? String(a.event.peer) } : {}) } });
        break;
    }
  }

  private flush(): CommitteeAction[] {
    const o = this.out;
    this.out = [];
    return o;
  }
}

export const chainLabel = (a: Address): string => addressToString(a);
