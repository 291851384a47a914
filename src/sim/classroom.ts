import { AddressKind, base58Decode, colorKey, txIdToString } from '../protocol';
import { leaderPermutation } from '../consensus/permutation';
import type { SimResult } from './sim';
import { ClassroomSim, STEP_MS, AFTER_RUN_MS_MAX } from './classroom-sim';
import { validateScenario, type AnchorView, type BlockView, type ClassResult, type L1View, type MemberView, type Scenario, type Slice, type Snapshot } from './classroom-model';

export * from './classroom-model';
export { ClassroomSim, STEP_MS, SIM_EPOCH_MS, roundStep, toSimConfig } from './classroom-sim';

/** Blocks and anchors the picture keeps (the chain strip shows the newest). */
const BLOCKS_KEPT_MAX = 256;
const ANCHORS_SHOWN_MAX = 6;
/** Steps one advance may run before it hands a slice back (keeps the worker responsive to new commands). */
export const ADVANCE_STEPS_MAX = 400;

export interface EngineOptions {
  /** In a browser the L1 ledger verifies ed25519 with noble (no node:crypto). */
  readonly browser: boolean;
  /** contracts/build/counter.wasm, for scenarios with the 'counter' workload. */
  readonly counterWasm?: Uint8Array;
}

/**
 * The classroom's model host: one real Simulation stepped on demand. `advanceTo` runs virtual time forward and
 * returns what happened since the last call (events, messages, snapshots): the page animates only from that.
 * It knows nothing of rendering or wall-clock time, and runs the same in Node (tests, tours) and in a worker.
 */
export class ClassroomEngine {
  private readonly sim: ClassroomSim;
  private readonly driver: Promise<void>;
  private finishedFlag = false;
  private runResult: SimResult | null = null;
  private failure: unknown = null;
  private eventsOut = 0;
  private messagesOut = 0;
  private lastSnapKey = '';
  private readonly blocks = new Map<number, BlockView>();
  private readonly anchors = new Map<string, AnchorView>();

  private constructor(readonly scenario: Scenario, opts: EngineOptions) {
    this.sim = new ClassroomSim(scenario, opts.browser, opts.counterWasm);
    this.driver = this.drive().then(
      () => void (this.finishedFlag = true),
      (e: unknown) => {
        this.failure = e;
        this.finishedFlag = true;
      },
    );
  }

  static async create(scenario: Scenario, opts: EngineOptions): Promise<ClassroomEngine> {
    const e = new ClassroomEngine(validateScenario(scenario), opts);
    await Promise.race([e.sim.room.firstPark(), e.driver]);
    e.throwIfFailed();
    return e;
  }

  private async drive(): Promise<void> {
    this.runResult = await this.sim.run();
    if (!this.runResult.ok) return;
    // Keep stepping for what the simulator's own run does not wait for: extra requests, late scripted faults.
    const end = this.sim.room.nowMs + AFTER_RUN_MS_MAX;
    while (this.sim.room.nowMs < end && !(this.sim.room.extraDone() && this.sim.room.nowMs >= this.sim.room.lastScriptMs() + 500)) await this.sim.step();
  }

  get timeMs(): number {
    return this.sim.room.nowMs;
  }
  get finished(): boolean {
    return this.finishedFlag;
  }

  /** Runs until virtual time ≥ `targetMs` (or the scenario ends, or ADVANCE_STEPS_MAX steps), then slices. */
  async advanceTo(targetMs: number, stepsMax = ADVANCE_STEPS_MAX): Promise<Slice> {
    const snapshots: Snapshot[] = [];
    if (this.eventsOut === 0) snapshots.push(...this.snapshotIfChanged());
    for (let k = 0; k < stepsMax && !this.finishedFlag && this.sim.room.nowMs < targetMs; k++) {
      await this.sim.room.grant(1, this.driver);
      this.throwIfFailed();
      snapshots.push(...this.snapshotIfChanged());
    }
    return this.slice(snapshots);
  }

  /** Runs the scenario to its end (tests, Node tours). */
  async runToEnd(onSlice?: (s: Slice) => void): Promise<ClassResult> {
    for (;;) {
      const s = await this.advanceTo(Number.MAX_SAFE_INTEGER);
      onSlice?.(s);
      if (s.finished && s.result) return s.result;
    }
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure instanceof Error ? this.failure : new Error(String(this.failure));
  }

  private slice(snapshots: Snapshot[]): Slice {
    const events = this.sim.room.events.slice(this.eventsOut);
    const messages = this.sim.room.messages.slice(this.messagesOut);
    this.eventsOut += events.length;
    this.messagesOut += messages.length;
    return { timeMs: this.sim.room.nowMs, events, messages, fates: [], snapshots, finished: this.finishedFlag, result: this.finishedFlag ? this.result() : null };
  }

  result(): ClassResult {
    const r = this.runResult;
    const h = this.sim.room.honestStateHash();
    return {
      ok: r?.ok ?? false,
      violation: r?.violation ?? (this.failure ? String(this.failure) : null),
      blockIndex: h.blockIndex,
      finalStateHash: h.stateHash,
      requestsProcessed: r?.requestsProcessed ?? 0,
      reproduce: r?.reproduce ?? this.sim.reproduce,
    };
  }

  /* ------------------------------------------------------------ snapshots */

  private snapshotIfChanged(): Snapshot[] {
    const s = this.snapshot();
    const key = JSON.stringify({ ...s, timeMs: 0 });
    if (key === this.lastSnapKey) return [];
    this.lastSnapKey = key;
    return [s];
  }

  /** The model as the picture needs it, read from the real nodes and the real ledger. */
  snapshot(): Snapshot {
    const chain = this.sim.room.chainAddress;
    const members: MemberView[] = this.sim.slots.map((slot, index) => {
      const snap = chain && slot.node ? slot.node.snapshot(chain) : null;
      for (const b of snap?.recentBlocks ?? []) if (!this.blocks.has(b.blockIndex)) this.blocks.set(b.blockIndex, { blockIndex: b.blockIndex, requests: b.requests, anchorTxId: b.anchorTxId });
      for (const a of snap?.anchors ?? []) {
        const prev = this.anchors.get(a.txId);
        if (!prev || (prev.state !== 'confirmed' && prev.state !== a.state)) this.anchors.set(a.txId, { txId: a.txId, blockIndex: a.blockIndex, state: a.state });
      }
      return {
        index,
        id: slot.id.slice(0, 8),
        up: slot.node !== null,
        byzantine: slot.byzantine,
        skewMs: this.scenario.skewMs[index] ?? 0,
        stage: slot.node ? (snap?.stage ?? 'booting') : 'down',
        leader: snap?.leader === undefined || snap.leader === null ? null : this.sim.slots.findIndex((s) => s.id === snap.leader),
        leaderPos: snap?.leaderPos ?? 0,
        permutation: snap?.anchorTxId ? leaderPermutation(base58Decode(snap.anchorTxId), this.scenario.n) : [],
        blockIndex: snap?.blockIndex ?? 0,
        stateHash: snap?.stateHash ?? '',
        backlog: (snap?.backlog ?? []).map((q) => q.requestId),
        synced: snap?.synced ?? false,
        evidence: (snap?.evidence ?? []).map((e) => `${e.kind} by member ${e.member} (block #${e.round.blockIndex + 1})`),
      };
    });
    while (this.blocks.size > BLOCKS_KEPT_MAX) this.blocks.delete(Math.min(...this.blocks.keys()));
    // Map keeps insertion order: the oldest anchors go first.
    for (const k of this.anchors.keys()) if (this.anchors.size > BLOCKS_KEPT_MAX) this.anchors.delete(k);
    return { timeMs: this.sim.room.nowMs, members, l1: this.l1View(members), blocks: [...this.blocks.values()].sort((a, b) => a.blockIndex - b.blockIndex) };
  }

  private l1View(members: readonly MemberView[]): L1View {
    const chain = this.sim.room.chainAddress;
    if (!chain) return { chainUtxo: null, requestUtxos: 0, anchors: [] };
    const outs = this.sim.ledger.getUnspentOutputs(chain);
    // The chain UTXO (carrying the chain token) is the chain-address output of the newest anchor: the only
    // output there made by a committee-signed (BLS) transaction. Every other one carries a request token.
    // Before block #1 it is the origin's output, found through the members' state anchor.
    const anchorIds = new Set(members.map((m) => this.anchorOf(m.index)).filter((x): x is string => !!x));
    const chainOut = outs.find((o) => this.sim.ledger.getTransaction(o.id.txId)?.signatures.some((sg) => sg.kind === AddressKind.BLS)) ?? outs.find((o) => anchorIds.has(txIdToString(o.id.txId))) ?? null;
    const iota = colorKey(new Uint8Array(32));
    const balances = chainOut ? [...chainOut.balances].map(([c, v]) => [c === iota ? 'IOTA' : `${c.slice(0, 8)}…`, v.toString()] as const) : [];
    // What L1 itself says about each anchor (members only know what they posted or heard).
    const anchors = [...this.anchors.values()]
      .sort((a, b) => b.blockIndex - a.blockIndex)
      .slice(0, ANCHORS_SHOWN_MAX)
      .map((a) => ({ ...a, state: this.sim.ledger.getInclusionState(base58Decode(a.txId))?.state ?? a.state }));
    return { chainUtxo: chainOut ? { txId: txIdToString(chainOut.id.txId), balances } : null, requestUtxos: outs.length - (chainOut ? 1 : 0), anchors };
  }

  private anchorOf(index: number): string | null {
    const chain = this.sim.room.chainAddress;
    const node = this.sim.slots[index]?.node;
    return chain && node ? (node.snapshot(chain)?.anchorTxId ?? null) : null;
  }
}

/** Virtual ms per step, re-exported for the page's timeline granularity. */
export const CLASSROOM_STEP_MS = STEP_MS;
