import { equalBytes, requestIDKey, toHex, txIdToString, type Address, type Color, type RequestID, type TransactionID, type ValueTransaction } from '../protocol';
import type { VirtualState } from '../state/vstate';
import type { Block } from '../state/types';
import type { ProtocolEventKind } from '../protocol/events';
import { assert } from './assert';
import type { Backlog, BacklogRequest } from './backlog';
import { contextHash } from './context';
import type { Evidence, EvidenceKind } from './evidence';
import type { ComputationContextMsg, ConsensusMsg, ResultAndPartialSigMsg, RoundId } from './messages';
import { governanceMaxBatchSize } from '../vm/core/governance';
import { CONSENSUS_PARAMS, type ConsensusTimeouts } from './params';
import { leaderAt, leaderPermutation } from './permutation';
import { contextOf, mineOf, newRound, toComputing, toWaitingAnchor, toWaitingResults, type CollectingRound, type ComputingRound, type MyResult, type OperatorBase, type OperatorStage, type Round, type WaitingAnchorRound, type WaitingResultsRound } from './round';
import type { ThresholdSigner } from './signer';
import { buildContext } from './steps/build-context';
import { computeResult } from './steps/compute-result';
import { BAD_PARTIAL_DETAIL, finalize } from './steps/finalize';
import { judgeResult, type ResultVerdict } from './steps/judge-result';
import { judgeCatchUp } from './steps/catch-up';
import { isReady, notification } from './steps/notify';
import { expiredStage, scaledTimeouts } from './steps/timeouts';
import { vmTaskFor } from './steps/run-vm';
import { UNKNOWN_REQUESTS, validateContext } from './steps/validate-context';
import type { StepView } from './steps/view';
import type { VmOutcome, VmTask } from './vm-port';

export type { OperatorBase, OperatorStage } from './round';

export interface OperatorConfig {
  readonly chainAddress: Address;
  readonly chainColor: Color;
  readonly signer: ThresholdSigner;
  readonly timeouts: ConsensusTimeouts;
  /** Step 5c: this node's reward address (rewards are disabled; it is carried in the context). */
  readonly rewardAddress: Address;
  /** The VM's processed-request record in the state: the exactly-once backstop. */
  readonly isRequestProcessed: (state: VirtualState, id: RequestID) => boolean;
  readonly timestampToleranceMs?: number;
  readonly batchRequestsMax?: number;
}

export type OperatorEvent =
  | { readonly kind: 'stateTransition'; readonly nowMs: number; readonly base: OperatorBase }
  | { readonly kind: 'backlogChanged'; readonly nowMs: number }
  | { readonly kind: 'peerMessage'; readonly nowMs: number; readonly from: number; readonly msg: ConsensusMsg }
  | { readonly kind: 'vmResult'; readonly nowMs: number; readonly roundKey: string; readonly outcome: VmOutcome | { readonly error: string } }
  | { readonly kind: 'anchorInclusion'; readonly nowMs: number; readonly txId: TransactionID; readonly state: 'booked' | 'confirmed' | 'rejected'; readonly reason: string }
  | { readonly kind: 'tick'; readonly nowMs: number };

export type OperatorAction =
  | { readonly kind: 'send'; readonly to: number; readonly msg: ConsensusMsg }
  | { readonly kind: 'runVM'; readonly roundKey: string; readonly task: VmTask }
  /** Step 14: a block candidate for the state manager, keyed by the state hash it results in. */
  | { readonly kind: 'pendingBlock'; readonly block: Block; readonly stateHash: Uint8Array; readonly requestIds: readonly RequestID[] }
  | { readonly kind: 'postAnchor'; readonly tx: ValueTransaction; readonly txId: TransactionID }
  | { readonly kind: 'queryInclusion'; readonly txId: TransactionID }
  | { readonly kind: 'event'; readonly event: OperatorNote };

export interface OperatorNote {
  readonly kind: ProtocolEventKind;
  readonly text: string;
  readonly direction?: 'sent' | 'received' | 'local';
  readonly peer?: number;
}

export interface OperatorSnapshot {
  readonly stage: OperatorStage;
  readonly leader: number | null;
  readonly leaderPos: number;
  readonly blockIndex: number | null;
  readonly postedAnchor: string | null;
  readonly round: RoundId | null;
  /** Step 9a: what this node sends to the leader (a leader keeps its own among the results) once computed. */
  readonly result: { readonly contextHash: Uint8Array; readonly resultHash: Uint8Array } | null;
}

/**
 * The consensus operator of one chain on one node (spec "The consensus algorithm", steps 1–14). Pure: events
 * in, actions out; time arrives in the events; the VM, L1 and peers are reached only through actions.
 * The steps' decisions are pure functions in steps/ (the table in README.md); this class routes each event to
 * them and carries out their answers: it moves the Round (round.ts) from stage to stage, keeps what lives longer
 * than one answer (the per-state catch-up memory, the ready-requests memo, the evidence log) and emits the
 * actions and notes. The file follows the steps: round start (1), notifications (2), leader batch and context
 * (3–6), computing (7–9), collecting results and finalising (10–13); step 14 is the state manager's.
 */
export class ConsensusOperator {
  /** What the steps read (the solid state among it); rebuilt on every state transition, null before the first. */
  private view: StepView | null = null;
  private permutation: number[] = [];
  private round: Round | null = null;
  private readonly evidenceLog: Evidence[] = [];
  /**
   * Members whose catch-up moved this node into a round that then timed out: they cannot move it again on this
   * state (a Byzantine member gets one such move per honest node per state). Cleared on every state transition.
   */
  private readonly struck = new Set<number>();
  /** (member, position) pairs whose invalid later-position context was already reported on this state (flood). */
  private readonly refusedAhead = new Set<string>();
  private out: OperatorAction[] = [];
  /** readyRequests' memo for one solid state; `processed` is bounded by the backlog (backlogRequestsMax) per state. */
  private readyCache: { version: number; state: VirtualState; blockIndex: number; nowS: number; ready: readonly BacklogRequest[]; processed: Map<string, boolean> } | null = null;

  constructor(
    private readonly cfg: OperatorConfig,
    private readonly backlog: Backlog,
  ) {}

  get me(): number {
    return this.cfg.signer.index;
  }
  get evidence(): readonly Evidence[] {
    return this.evidenceLog;
  }
  /** What the runtime shows and tests check: the round and this node's result, never the round object itself. */
  snapshot(): OperatorSnapshot {
    const r = this.round;
    const mine = r ? mineOf(r) : undefined;
    return {
      stage: r?.stage ?? 'idle',
      leader: r?.leader ?? null,
      leaderPos: r?.id.leaderPos ?? 0,
      blockIndex: this.view?.base.state.blockIndex ?? null,
      postedAnchor: r?.postedTxId ? txIdToString(r.postedTxId) : null,
      round: r?.id ?? null,
      result: mine ? { contextHash: mine.ctxHash, resultHash: mine.resultHash } : null,
    };
  }

  handle(ev: OperatorEvent): OperatorAction[] {
    this.out = [];
    switch (ev.kind) {
      case 'stateTransition':
        this.onStateTransition(ev.base, ev.nowMs);
        break;
      case 'backlogChanged':
        this.onBacklogChanged(ev.nowMs);
        break;
      case 'peerMessage':
        this.onPeerMessage(ev.from, ev.msg, ev.nowMs);
        break;
      case 'vmResult':
        this.onVmResult(ev.roundKey, ev.outcome, ev.nowMs);
        break;
      case 'anchorInclusion':
        this.onAnchorInclusion(ev.txId, ev.state, ev.reason, ev.nowMs);
        break;
      case 'tick':
        this.onTick(ev.nowMs);
        break;
    }
    const out = this.out;
    this.out = [];
    return out;
  }

  private viewOf(): StepView {
    assert(this.view, 'steps run only on a solid state');
    return this.view;
  }

  /* ------------------------------------------------------------ step 1: a new state starts round 0 */

  private onStateTransition(base: OperatorBase, nowMs: number): void {
    const { cfg } = this;
    this.view = {
      base,
      chainAddress: cfg.chainAddress,
      chainColor: cfg.chainColor,
      backlog: this.backlog,
      isRequestProcessed: cfg.isRequestProcessed,
      // The chain's own governance.maxBatchSize, read from the state this round builds on: the same number on
      // every member, so the leader's cap and the members' check (validateContext) agree.
      batchMax: Math.min(cfg.batchRequestsMax ?? CONSENSUS_PARAMS.batchRequestsMax, governanceMaxBatchSize(base.state)),
      toleranceMs: cfg.timestampToleranceMs ?? CONSENSUS_PARAMS.timestampToleranceMs,
    };
    this.permutation = leaderPermutation(base.anchorTxId, this.cfg.signer.n);
    this.struck.clear();
    this.refusedAhead.clear();
    this.startRound(0, nowMs, null);
  }

  private startRound(leaderPos: number, nowMs: number, movedBy: number | null): void {
    const { base } = this.viewOf();
    const id: RoundId = { anchorTxId: base.anchorTxId, blockIndex: base.state.blockIndex, leaderPos };
    const leader = leaderAt(this.permutation, leaderPos);
    this.round = newRound(id, leader, nowMs, movedBy);
    this.note('leaderRotation', `Round for block #${id.blockIndex + 1}: leader is member ${leader} (position ${leaderPos} of the permutation).`);
    this.progress(nowMs);
  }

  private rotate(nowMs: number, why: string): void {
    const r = this.round;
    assert(r, 'only a round in progress rotates');
    this.note('leaderRotation', `${why} — rotating the leader from member ${r.leader}.`);
    this.startRound(r.id.leaderPos + 1, nowMs, null);
  }

  /** A stage timeout: if a peer's catch-up brought this node into the round, that peer may not move it again on this state. */
  private timeOut(nowMs: number, why: string): void {
    assert(this.round, 'only a round in progress times out');
    this.strikeMover(this.round, 'timed out');
    this.rotate(nowMs, why);
  }

  /**
   * The round `r` is being left without a block: the member whose catch-up brought this node there (if any) may
   * not move it again on this state. Leaving by a further catch-up counts too — else a member could move this node
   * every hold, each time before the round it chose times out.
   */
  private strikeMover(r: Round, how: string): void {
    if (r.movedBy === null || this.struck.has(r.movedBy)) return;
    this.struck.add(r.movedBy);
    this.note('leaderRotation', `Member ${r.movedBy} moved this node to leader position ${r.id.leaderPos}, which ${how} without a block: no more catch-ups on member ${r.movedBy}'s word for block #${r.id.blockIndex + 1}.`, 'local', r.movedBy);
  }

  /* ------------------------------------------------------------ events */

  private onBacklogChanged(nowMs: number): void {
    const r = this.round;
    if (!r) return;
    if (r.pendingContext) {
      const ctx = r.pendingContext;
      r.pendingContext = undefined;
      this.considerContext(r.leader, ctx, nowMs);
    }
    this.progress(nowMs);
  }

  private onTick(nowMs: number): void {
    const r = this.round;
    if (!r) return;
    const to = scaledTimeouts(this.cfg.timeouts, r.id.leaderPos, this.cfg.signer.n);
    // Only a round with work to do can time out: an idle chain keeps its leader.
    const idle = r.stage === 'collecting' && this.readyRequests(nowMs).length === 0 && r.notifications.size === 0;
    if (idle) r.stageSinceMs = nowMs;
    const why = expiredStage(r, nowMs, to, idle);
    if (why) return this.timeOut(nowMs, why);
    if (r.stage === 'waitingAnchor' && r.leader === this.me && nowMs - r.lastPollMs >= to.inclusionPollMs) {
      r.lastPollMs = nowMs;
      this.out.push({ kind: 'queryInclusion', txId: r.postedTxId });
    }
    this.progress(nowMs);
  }

  private onPeerMessage(from: number, msg: ConsensusMsg, nowMs: number): void {
    const r = this.round;
    const base = this.view?.base;
    if (!r || !base || from === this.me || from < 0 || from >= this.cfg.signer.n) return;
    // Only the current state's rounds; a round ahead of ours (same state) may mean our timer is slower: catch up,
    // but only under the rules of catchUp (one member's word alone must not steer the committee).
    if (!equalBytes(msg.round.anchorTxId, base.anchorTxId) || msg.round.blockIndex !== base.state.blockIndex) return;
    if (msg.round.leaderPos > r.id.leaderPos && !this.catchUp(from, msg, nowMs)) return;
    const cur = this.round;
    assert(cur, 'a catch-up leaves this node in a round');
    if (msg.round.leaderPos !== cur.id.leaderPos) return;
    switch (msg.kind) {
      case 'requestNotification':
        if (cur.leader !== this.me) return;
        cur.notifications.set(from, new Set(msg.requestIds.map(requestIDKey)));
        this.note('requestNotification', `Member ${from} can process ${msg.requestIds.length} request(s).`, 'received', from);
        break;
      case 'computationContext':
        if (from !== cur.leader) return;
        this.considerContext(from, msg, nowMs);
        break;
      case 'resultAndPartialSig':
        if (cur.leader !== this.me) return;
        this.onResult(from, msg, nowMs);
        break;
      case 'anchorPosted':
        if (from !== cur.leader) return;
        // Only the leader polls L1 (members follow the state manager), and the leader never hears this message.
        if (cur.stage !== 'waitingAnchor') this.round = toWaitingAnchor(cur, msg.anchorTxId, nowMs, -Infinity);
        else cur.postedTxId = msg.anchorTxId;
        this.note('anchorPosted', `Leader ${from} posted anchor ${txIdToString(msg.anchorTxId).slice(0, 10)}… to L1.`, 'received', from);
        break;
    }
    this.progress(nowMs);
  }

  /** Carries out judgeCatchUp's verdict (steps/catch-up.ts): moves this node to the later position of `msg`, or reports an invalid context once. */
  private catchUp(from: number, msg: ConsensusMsg, nowMs: number): boolean {
    const r = this.round;
    assert(r, 'catch-up starts from a round');
    const pos = msg.round.leaderPos;
    const n = this.cfg.signer.n;
    const seat = { me: this.me, n, permutation: this.permutation, struck: this.struck, holdMs: this.cfg.timeouts.leaderProposalMs * CONSENSUS_PARAMS.catchUpHoldShare };
    const v = judgeCatchUp(r, from, msg, seat, this.viewOf(), nowMs);
    if (!v.follow) {
      const k = `${from}/${pos}`;
      if (v.invalidContext !== undefined && !this.refusedAhead.has(k)) {
        // Reported once per (member, position) on this state: a flood of them is one record, not a full log.
        if (this.refusedAhead.size >= n * n * CONSENSUS_PARAMS.catchUpRotationsMax) this.refusedAhead.clear();
        this.refusedAhead.add(k);
        this.recordEvidence(msg.round, from, 'invalidContext', `${v.invalidContext} (context for later position ${pos}; not followed)`);
      }
      return false;
    }
    this.note('leaderRotation', `Member ${from} is already at leader position ${pos} (${v.byContext ? 'valid context' : 'notification to this node as its leader'}); catching up from position ${r.id.leaderPos}.`, 'received', from);
    this.strikeMover(r, 'was left for a later one');
    this.startRound(pos, nowMs, from);
    return true;
  }

  /* ------------------------------------------------------------ step 2: notifications; steps 3–6: the leader */

  /** Requests this node could process now: in its backlog, not time-locked by its clock, not yet processed. */
  readyRequests(nowMs: number): readonly BacklogRequest[] {
    const base = this.view?.base;
    if (!base) return [];
    const nowS = Math.floor(nowMs / 1000);
    // Called on every event: the filter is a function of (backlog, solid state, clock second), so keep the last.
    // Whether a request was processed is a function of the solid state alone: asked once per request per state.
    let c = this.readyCache;
    if (!c || c.state !== base.state || c.blockIndex !== base.state.blockIndex) {
      c = { version: -1, state: base.state, blockIndex: base.state.blockIndex, nowS, ready: [], processed: new Map() };
      this.readyCache = c;
    }
    if (c.version === this.backlog.version && c.nowS === nowS) return c.ready;
    const processed = c.processed;
    const isProcessed = (q: BacklogRequest): boolean => {
      let p = processed.get(q.key);
      if (p === undefined) {
        p = this.cfg.isRequestProcessed(base.state, q.id);
        processed.set(q.key, p);
      }
      return p;
    };
    c.ready = this.backlog.requests().filter((q) => isReady(q, nowS, isProcessed));
    c.version = this.backlog.version;
    c.nowS = nowS;
    return c.ready;
  }

  private progress(nowMs: number): void {
    const r = this.round;
    if (!r) return;
    if (r.stage !== 'collecting') {
      if (r.leader === this.me && (r.stage === 'computing' || r.stage === 'waitingResults')) this.resendContext(r, nowMs);
      if (r.leader !== this.me && r.stage === 'waitingResults' && nowMs - r.lastSendMs >= this.cfg.timeouts.resendMs) {
        r.lastSendMs = nowMs;
        this.sendResult(r, r.mine);
      }
      return;
    }
    if (r.leader === this.me) this.tryPropose(r, nowMs);
    else if (nowMs - r.lastSendMs >= this.cfg.timeouts.resendMs) {
      const msg = notification(r.id, this.readyRequests(nowMs));
      if (!msg) return;
      r.lastSendMs = nowMs;
      this.out.push({ kind: 'send', to: r.leader, msg });
      this.note('requestNotification', `Told leader ${r.leader} about ${msg.requestIds.length} request(s) ready here.`, 'sent', r.leader);
    }
  }

  /** Steps 3–5 (buildContext), then 6: the leader takes its own context and sends it. */
  private tryPropose(r: CollectingRound, nowMs: number): void {
    // Until T−1 members reported, nothing can qualify: skip the look-up of ready requests.
    if (r.notifications.size + 1 < this.cfg.signer.t) return;
    const proposed = buildContext(r, this.readyRequests(nowMs), this.viewOf(), { me: this.me, t: this.cfg.signer.t, rewardAddress: this.cfg.rewardAddress }, nowMs);
    if (!proposed) return;
    this.note('computationContext', `As leader, proposing a batch of ${proposed.batch.length} request(s) for block #${r.id.blockIndex + 1}.`, 'local');
    this.resendContext(this.accept(r, proposed.msg, proposed.batch, nowMs), nowMs);
  }

  private resendContext(r: ComputingRound | WaitingResultsRound, nowMs: number): void {
    if (nowMs - r.lastSendMs < this.cfg.timeouts.resendMs) return;
    r.lastSendMs = nowMs;
    for (let i = 0; i < this.cfg.signer.n; i++) {
      if (i === this.me || r.results.has(i)) continue;
      this.out.push({ kind: 'send', to: i, msg: r.context.msg });
    }
    this.note('computationContext', `Sent the computation context (${r.context.msg.requestIds.length} request(s)) to the committee.`, 'sent');
  }

  /* ------------------------------------------------------------ steps 6–9: every member computes */

  private considerContext(from: number, ctx: ComputationContextMsg, nowMs: number): void {
    const r = this.round;
    assert(r, 'a context is considered in a round');
    const h = contextHash(ctx);
    const accepted = contextOf(r);
    if (accepted) {
      if (equalBytes(h, accepted.hash)) {
        // A re-sent context: our result may have been lost, send it again.
        const mine = mineOf(r);
        if (mine && from !== this.me) this.sendResult(r, mine);
      } else {
        this.recordEvidence(r.id, from, 'conflictingContext', `second, different context ${toHex(h).slice(0, 16)} in one round`);
      }
      return;
    }
    assert(r.stage === 'collecting' || r.stage === 'waitingAnchor', 'only a round after collecting has a context');
    const problem = validateContext(ctx, this.viewOf(), nowMs);
    if (problem === UNKNOWN_REQUESTS) {
      r.pendingContext = ctx;
      return;
    }
    if (problem) {
      this.recordEvidence(r.id, from, 'invalidContext', problem);
      this.note('computationContext', `Refused the leader's context: ${problem}.`, 'received', from);
      return;
    }
    const batch = ctx.requestIds.map((id) => {
      const q = this.backlog.get(requestIDKey(id));
      assert(q, 'a validated context names only loaded requests');
      return q;
    });
    this.note('computationContext', `Received the leader's context: ${batch.length} request(s), timestamp ${ctx.timestamp}.`, 'received', from);
    this.accept(r, ctx, batch, nowMs);
  }

  /** Step 6: the round takes the context (leader: its own proposal) and asks for the VM run (6b/7: vmTaskFor). */
  private accept(r: CollectingRound | WaitingAnchorRound, msg: ComputationContextMsg, batch: readonly BacklogRequest[], nowMs: number): ComputingRound {
    const strays = (msg.strayTxIds ?? []).map((id) => {
      const x = this.backlog.stray(id);
      assert(x, 'a validated context names only strays in the backlog');
      return x;
    });
    const c = toComputing(r, { msg, hash: contextHash(msg), batch, strays }, nowMs);
    this.round = c;
    const run = vmTaskFor(c.context, this.viewOf());
    if ('problem' in run) {
      this.note('vmRun', `Cannot run the batch: ${run.problem}. Waiting for the round to time out.`);
      return c;
    }
    this.out.push({ kind: 'runVM', roundKey: roundKey(c.id), task: run.task });
    this.note('vmRun', `Running the VM on ${batch.length} request(s).`);
    return c;
  }

  /** Steps 7–9 (computeResult): the block candidate goes to the state manager, the result to the leader. */
  private onVmResult(key: string, outcome: VmOutcome | { readonly error: string }, nowMs: number): void {
    const r = this.round;
    if (!r || !this.view || roundKey(r.id) !== key || r.stage !== 'computing') return;
    const res = computeResult(outcome, r.context, this.view, this.cfg.signer);
    if (res.kind === 'unusable') {
      this.note('vmRun', res.why);
      return;
    }
    const { mine, block, stateHash } = res;
    const w = toWaitingResults(r, mine, nowMs);
    this.round = w;
    this.out.push({ kind: 'pendingBlock', block, stateHash, requestIds: res.requestIds });
    this.note('vmRun', `Computed block #${block.blockIndex} (state hash ${toHex(stateHash).slice(0, 12)}…) and partially signed the anchor.`);
    if (w.leader === this.me) {
      w.results.set(this.me, { kind: 'resultAndPartialSig', round: w.id, contextHash: mine.ctxHash, resultHash: mine.resultHash, partialSig: mine.partialSig });
      this.tryFinalize(w, nowMs);
    } else {
      w.lastSendMs = nowMs;
      this.sendResult(w, mine);
    }
  }

  private sendResult(r: Round, m: MyResult): void {
    this.out.push({ kind: 'send', to: r.leader, msg: { kind: 'resultAndPartialSig', round: r.id, contextHash: m.ctxHash, resultHash: m.resultHash, partialSig: m.partialSig } });
    this.note('resultAndPartialSig', `Sent result hash ${toHex(m.resultHash).slice(0, 12)}… and partial signature to leader ${r.leader}.`, 'sent', r.leader);
  }

  /* ------------------------------------------------------------ steps 10–13: the leader finalises */

  private onResult(from: number, msg: ResultAndPartialSigMsg, nowMs: number): void {
    const r = this.round;
    assert(r, 'a result arrives in a round');
    if (r.results.has(from) || r.badSigners.has(from)) return;
    this.note('resultAndPartialSig', `Received result and partial signature from member ${from}.`, 'received', from);
    const mine = mineOf(r);
    if (!mine) {
      // Our own result is not ready yet: keep theirs (bounded: one per member) and judge it when it is.
      r.results.set(from, msg);
      return;
    }
    if (this.judged(r, from, judgeResult(mine, msg))) r.results.set(from, msg);
    if (r.stage === 'waitingResults') this.tryFinalize(r, nowMs);
  }

  /** Carries out step 10's verdict: a culprit's result is dropped with evidence. True when accepted. */
  private judged(r: Round, from: number, v: ResultVerdict): boolean {
    if (v.verdict === 'accept') return true;
    this.recordEvidence(r.id, from, v.kind, v.detail);
    return false;
  }

  /** Steps 11–13: finalize's answer is carried out — culprits dropped, or the anchor posted and announced. */
  private tryFinalize(r: WaitingResultsRound, nowMs: number): void {
    const mine = r.mine;
    // Judge results that arrived before our own was ready.
    for (const [i, m] of [...r.results]) if (i !== this.me && !equalBytes(m.resultHash, mine.resultHash)) {
      r.results.delete(i);
      this.judged(r, i, judgeResult(mine, m));
    }
    const f = finalize(mine, r.results, this.cfg.signer);
    if (f.kind === 'short') return;
    if (f.kind === 'culprits') {
      for (const index of f.culprits) {
        r.results.delete(index);
        r.badSigners.add(index);
        this.recordEvidence(r.id, index, 'badPartialSignature', BAD_PARTIAL_DETAIL);
      }
      return; // wait for more valid results (or the timeout)
    }
    const { tx, txId } = f;
    this.round = toWaitingAnchor(r, txId, nowMs, nowMs);
    this.out.push({ kind: 'postAnchor', tx, txId });
    this.note('anchorPosted', `Combined ${this.cfg.signer.t} partial signatures into the BLS signature and posted anchor ${txIdToString(txId).slice(0, 10)}… for block #${r.id.blockIndex + 1}.`);
    for (let i = 0; i < this.cfg.signer.n; i++) if (i !== this.me) this.out.push({ kind: 'send', to: i, msg: { kind: 'anchorPosted', round: r.id, anchorTxId: txId } });
  }

  private onAnchorInclusion(txId: TransactionID, state: 'booked' | 'confirmed' | 'rejected', reason: string, nowMs: number): void {
    const r = this.round;
    if (!r || !r.postedTxId || !equalBytes(r.postedTxId, txId) || state !== 'rejected') return;
    // Defined behaviour (Wasp left it open): nothing was consumed, so the requests stay in the backlog; the
    // round restarts on the current state with the next leader.
    this.note('anchorRejected', `L1 rejected anchor ${txIdToString(txId).slice(0, 10)}…: ${reason}. Requests stay in the backlog.`);
    this.rotate(nowMs, 'Anchor rejected');
  }

  /* ------------------------------------------------------------ helpers */

  private recordEvidence(round: RoundId, member: number, kind: EvidenceKind, detail: string): void {
    this.evidenceLog.push({ round, member, kind, detail });
    if (this.evidenceLog.length > CONSENSUS_PARAMS.evidenceMax) this.evidenceLog.shift();
    this.note('evidence', `Evidence against member ${member}: ${kind} (${detail}).`, 'local', member);
  }

  private note(kind: ProtocolEventKind, text: string, direction?: 'sent' | 'received' | 'local', peer?: number): void {
    this.out.push({ kind: 'event', event: { kind, text, ...(direction ? { direction } : {}), ...(peer !== undefined ? { peer } : {}) } });
  }
}

export const roundKey = (id: RoundId): string => `${toHex(id.anchorTxId)}/${id.blockIndex}/${id.leaderPos}`;

/** Moved to the step that uses it (steps/run-vm.ts); re-exported for the runtime's callers. */
export { entropyOf } from './steps/run-vm';
