import type { Essence, TransactionID, ValueTransaction } from '../protocol';
import type { SolidBase } from '../state/manager';
import type { BacklogRequest, BacklogStray, ChainUtxo } from './backlog';
import type { ComputationContextMsg, ResultAndPartialSigMsg, RoundId } from './messages';

/** The solid state the operator builds on: the state manager's SolidBase, handed over on every state transition. */
export type OperatorBase = SolidBase;

export type OperatorStage = 'idle' | 'collecting' | 'computing' | 'waitingResults' | 'waitingAnchor';

/** Step 6: a computation context this node accepted, with what it names resolved from this node's backlog. */
export interface ComputationContext {
  readonly msg: ComputationContextMsg;
  readonly hash: Uint8Array;
  readonly batch: readonly BacklogRequest[];
  /** Strays the context sweeps (from this node's backlog, checked against the context). */
  readonly strays: readonly BacklogStray[];
}

/** Steps 7–9: this node's own result — the anchor essence it computed, its result hash and partial signature. */
export interface MyResult {
  readonly ctxHash: Uint8Array;
  readonly resultHash: Uint8Array;
  readonly partialSig: Uint8Array;
  readonly essence: Essence;
  /** The bytes signed: essenceBytes(essence). */
  readonly message: Uint8Array;
}

/** What every stage of a round carries. The timers and the leader's inboxes change in place; stages do not. */
interface RoundCommon {
  readonly id: RoundId;
  readonly leader: number;
  /** When this node entered the round (the catch-up hold counts from here; stageSinceMs restarts while idle). */
  readonly startedMs: number;
  /** The member whose message moved this node here by catch-up (null: the state began here or a timeout). */
  readonly movedBy: number | null;
  /** When the current stage's timeout started (or when requests first became ready while collecting). */
  stageSinceMs: number;
  lastSendMs: number;
  /** Leader: member → ready request keys it reported. */
  readonly notifications: Map<number, Set<string>>;
  /** Leader: valid-looking results by member (own included). */
  readonly results: Map<number, ResultAndPartialSigMsg>;
  /** Leader: members whose partial signature failed verification this round. */
  readonly badSigners: Set<number>;
  /**
   * A context waiting for request transactions this node has not loaded yet. Not a stage of its own: it is held
   * in any stage without an accepted context, and a leader's second context can be accepted while it waits
   * (it is then judged, as conflicting, when the backlog changes).
   */
  pendingContext?: ComputationContextMsg;
  /**
   * The anchor the leader posted. Set on entering waitingAnchor; it outlives that stage when a member that
   * heard of the anchor before the context accepts the context afterwards (its inclusion is still followed).
   */
  postedTxId?: TransactionID;
}

/** Steps 1–5: waiting for (leader: enough notifications to propose; member: the leader's) computation context. */
export interface CollectingRound extends RoundCommon {
  readonly stage: 'collecting';
}
/** Steps 6–7: a context is accepted and the VM runs on it. */
export interface ComputingRound extends RoundCommon {
  readonly stage: 'computing';
  readonly context: ComputationContext;
}
/** Steps 8–12: this node's result is ready; a member sends it, the leader collects T of them. */
export interface WaitingResultsRound extends RoundCommon {
  readonly stage: 'waitingResults';
  readonly context: ComputationContext;
  readonly mine: MyResult;
}
/**
 * Steps 13–14: an anchor is posted (by this node as leader, or the leader said so). A member may have heard of it
 * before it had the context or its own result, hence both optional.
 */
export interface WaitingAnchorRound extends RoundCommon {
  readonly stage: 'waitingAnchor';
  readonly context?: ComputationContext;
  readonly mine?: MyResult;
  postedTxId: TransactionID;
  /** Leader: when it last asked L1 about the anchor's inclusion. */
  lastPollMs: number;
}

/** One leader position on one solid state, discriminated by `stage`: each stage has exactly the fields it can use. */
export type Round = CollectingRound | ComputingRound | WaitingResultsRound | WaitingAnchorRound;

/** Step 1 (and every rotation or catch-up): a fresh round at `leaderPos`, collecting. */
export function newRound(id: RoundId, leader: number, nowMs: number, movedBy: number | null): CollectingRound {
  return { id, leader, startedMs: nowMs, movedBy, stage: 'collecting', stageSinceMs: nowMs, lastSendMs: -Infinity, notifications: new Map(), results: new Map(), badSigners: new Set() };
}

/** The context a round accepted, if it has one (every stage after collecting, waitingAnchor only maybe). */
export const contextOf = (r: Round): ComputationContext | undefined => (r.stage === 'collecting' ? undefined : r.context);

/** This node's result, if computed (waitingResults always; waitingAnchor maybe). */
export const mineOf = (r: Round): MyResult | undefined => (r.stage === 'waitingResults' || r.stage === 'waitingAnchor' ? r.mine : undefined);

/*
 * Stage transitions build the next stage's object from the last: the shared inboxes (notifications, results,
 * badSigners) and timers carry over by reference, the stage's own fields are set once.
 */

/** Step 6: a context accepted (from collecting, or from waitingAnchor when the anchor was announced first). */
export function toComputing(r: CollectingRound | WaitingAnchorRound, context: ComputationContext, nowMs: number): ComputingRound {
  return { ...r, stage: 'computing', context, stageSinceMs: nowMs };
}

/** Steps 7–8: this node's result computed and partially signed. */
export function toWaitingResults(r: ComputingRound, mine: MyResult, nowMs: number): WaitingResultsRound {
  return { ...r, stage: 'waitingResults', mine, stageSinceMs: nowMs };
}

/** Step 13: an anchor posted by this node as leader (pollFromMs = now) or announced by the leader (−∞: members never poll). */
export function toWaitingAnchor(r: Round, postedTxId: TransactionID, nowMs: number, pollFromMs: number): WaitingAnchorRound {
  return { ...r, stage: 'waitingAnchor', postedTxId, stageSinceMs: nowMs, lastPollMs: pollFromMs };
}
