import { toHex } from '../protocol';
import type { Ledger } from '../ledger/ledger';
import { ByzantineMembers } from './byzantine';
import type { SendPathByzantineKind, SimConfig, SimResult, TraceEvent } from './config';
import { deployChains } from './deployment';
import { LivenessFailure, SimEngine, type SimNodeSlot } from './engine';
import { ScheduledFaults } from './faults';
import { InvariantViolation, Invariants } from './invariants';
import type { SimObserver } from './observer';
import { reproduceLine } from './reproduce';
import { watchedStore } from './slot-store';
import { runWorkload } from './workloads';

/*
 * The public entry of the simulator. The parts, one job each:
 *   engine.ts      clock, seeded network, L1, node slots, step/until/advance
 *   faults.ts      scheduled crashes/restarts, tampered stores, partitions, L1 anchor rejection
 *   byzantine.ts   the Byzantine members' behaviours (byzantine-kinds.ts lists them; byzantine-acts.ts: every tick)
 *   invariants.ts  safety on every honest commit, progress, end-of-workload checks
 *   deployment.ts  the chains set up before the workload; workloads/ what the wallets then post
 *   observer.ts    the hooks a host (the classroom) watches a run through
 */
export type { ForgedSyncKind, SendPathByzantineKind, SimConfig, SimResult, SimWorkload, TraceEvent } from './config';
/** Byzantine behaviours: src/sim/byzantine-kinds.ts (what each does). */
export { BYZANTINE_KINDS, isByzantineKind, type ByzantineKind } from './byzantine-kinds';
/** Where the request workload's time went: src/sim/cost.ts. */
export type { SimCost } from './cost';
export { InvariantViolation } from './invariants';
export { LivenessFailure, type SimNodeSlot } from './engine';
export type { SimObserver, SimPayload } from './observer';

/**
 * Deterministic simulator (TigerBeetle's VOPR idea): real nodes (createNode), the real L1 ledger and node
 * connection server, a virtual clock and one seeded network. It composes the engine with the faults, the
 * Byzantine behaviours and the invariants, runs the deployment and the workload, and reports a SimResult.
 */
export class Simulation {
  readonly cfg: SimConfig;
  private readonly engine: SimEngine;
  private readonly faults: ScheduledFaults;
  private readonly byzantine: ByzantineMembers;
  private readonly invariants: Invariants;

  constructor(cfg: SimConfig) {
    this.cfg = cfg;
    const e = (this.engine = new SimEngine(cfg));
    const faults = (this.faults = new ScheduledFaults(e));
    const byz = (this.byzantine = new ByzantineMembers(e));
    const inv = (this.invariants = new Invariants(e));
    const watchers = {
      loadedState: faults.loadedState.bind(faults),
      loadedBlock: faults.loadedBlock.bind(faults),
      storeReset: faults.storeReset.bind(faults),
      byzantineCommit: byz.onCommit.bind(byz),
      honestCommit: inv.onHonestCommit.bind(inv),
    };
    e.plug({
      store: (inner, index, byzantine) => watchedStore(inner, index, byzantine, watchers),
      peerSend: (slot, to, bytes) => byz.peerSend(slot, to, bytes),
      runVM: (kind) => byz.vmFor(kind),
      wrapSigner: (slot, s) => byz.signerFor(slot, s),
      applySchedule: () => faults.applySchedule(),
      interceptTransaction: (slot, tx) => faults.rejectAnchor(slot, tx),
      onPeerArrival: (slot, bytes) => byz.onPeerArrival(slot, bytes),
      onTick: () => byz.actOnTick(),
      afterStep: () => inv.markDone(),
    });
  }

  get slots(): readonly SimNodeSlot[] {
    return this.engine.slots;
  }

  get ledger(): Ledger {
    return this.engine.ledger;
  }

  get reproduce(): string {
    return reproduceLine(this.cfg);
  }

  /** The simulator's trace so far (cfg.trace), growing as the run goes. */
  get traceEvents(): readonly TraceEvent[] {
    return this.engine.traceEvents;
  }

  /** A host watching the run (once, before it starts): see SimObserver. */
  observe(observer: SimObserver): void {
    this.engine.observe(observer);
  }

  /** One step of virtual time (the classroom steps the run from outside through its observer's gate). */
  step(): Promise<void> {
    return this.engine.step();
  }

  until(cond: () => boolean, limitMs: number, what: string): Promise<void> {
    return this.engine.until(cond, limitMs, what);
  }

  advance(ms: number): Promise<void> {
    return this.engine.advance(ms);
  }

  async run(): Promise<SimResult> {
    const e = this.engine;
    let violation: string | null = null;
    try {
      for (let i = 0; i < this.cfg.n; i++) await e.createSlot(i);
      for (const s of e.slots) await e.boot(s).start();
      await deployChains(e, this.invariants);
      e.meter.reset(e.honestBlockIndex());
      await runWorkload(e, this.invariants);
      e.tally.workloadCost = e.meter.result(e.honestBlockIndex());
    } catch (err) {
      if (!(err instanceof InvariantViolation || err instanceof LivenessFailure)) throw err;
      violation = err.message;
    }
    return this.result(violation);
  }

  /**
   * A running honest member turns Byzantine from now on (e.g. "the leader of block #2 equivocates", resolved by the
   * classroom from the run). From then on it is excluded from the honest-member invariants, as if so from the start.
   */
  turnByzantine(index: number, kind: SendPathByzantineKind): void {
    this.byzantine.turn(index, kind);
  }

  /** Evidence recorded by honest nodes (for tests). */
  evidenceKinds(): string[] {
    const chain = this.engine.chainAddress;
    if (!chain) return [];
    return this.engine.honest().flatMap((s) => s.node?.snapshot(chain)?.evidence.map((ev) => `${ev.kind}@${ev.member}`) ?? []);
  }

  private result(violation: string | null): SimResult {
    const e = this.engine;
    const t = e.tally;
    const chain = e.chainAddress;
    const st = chain ? e.honest()[0]?.node?.solidState(chain) : null;
    const evidence = chain ? e.slots.reduce((a, s) => a + (s.node?.snapshot(chain)?.evidence.length ?? 0), 0) : 0;
    const posted = [...e.posted.values()];
    return {
      ok: violation === null,
      violation,
      timeMs: e.now,
      blocks: st?.blockIndex ?? 0,
      chainBlocks: e.chains.map((c) => e.honest()[0]?.node?.solidState(c.address)?.blockIndex ?? 0),
      crossChainProcessed: t.crossChainProcessed,
      straysSwept: t.straysSwept,
      forgedSyncSent: this.byzantine.forgedSyncSent,
      storesRefused: this.faults.storesRefused,
      vaultRoundTrips: t.vaultRoundTrips,
      syncRefused: e.honest().reduce((a, h) => a + e.chains.reduce((x, c) => x + (h.node?.snapshot(c.address)?.syncRefusals.length ?? 0), 0), 0),
      hostileInitRefused: t.hostileInitRefused,
      timelockedProcessed: t.timelockedProcessed,
      requestsProcessed: posted.filter((p) => p.doneMs !== null).length,
      finalStateHash: st ? toHex(st.stateHash) : '',
      evidence,
      messagesDropped: e.messagesDropped,
      latenciesMs: posted.flatMap((p) => (p.doneMs === null ? [] : [p.doneMs - p.atMs])),
      ...(t.deploy ? { deploy: t.deploy } : {}),
      anchorsRejected: this.faults.rejectedAnchorBlocks.size,
      ...(t.workloadCost ? { cost: t.workloadCost } : {}),
      // The trace array itself (as before the split): a caller may write it out after the run.
      trace: e.traceEvents as TraceEvent[],
      reproduce: this.reproduce,
    };
  }
}
