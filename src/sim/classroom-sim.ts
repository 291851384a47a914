import { balancesOf, blake2b256, COLOR_IOTA, hname, requestIDKey, toHex, transactionId, txIdToString, utf8, type Address, type RequestID } from '../protocol';
import { Faucet, faucetKeyPair } from '../ledger/faucet';
import { ed25519KeyPairFromSeed } from '../crypto/ed25519';
import { buildRequestTx } from '../chain/deploy';
import { isRequestProcessed } from '../vm/core/blocklog';
import { H, EP } from '../vm/core/names';
import { Simulation, type SimConfig, type SimObserver, type SimResult, type TraceEvent } from './sim';
import type { InFlight } from './network';
import { decodeMessage, explainTrace, stepOfTrace, type SimPayload } from './classroom-narrate';
import { roundStep, STEP_MS, type Actor, type ClassEvent, type ClassMessage, type Scenario, type ScriptFault } from './classroom-model';
export { roundStep, STEP_MS };

/**
 * Mirrors engine.ts: the virtual clock starts at this Unix time and advances STEP_MS per step. Checked at run
 * time against every trace line (a mismatch is a thrown error, never a silently wrong picture).
 */
export const SIM_EPOCH_MS = 1_700_000_000_000;
/** Virtual ms the classroom keeps stepping after the simulator's own run ended (extra requests, late faults). */
export const AFTER_RUN_MS_MAX = 20_000;
/** Bounds on what one run keeps (a runaway scenario is cut, not an out-of-memory). */
export const CLASSROOM_LIMITS = { eventsMax: 100_000, messagesMax: 200_000 } as const;

export class ClassroomSyncError extends Error {
  override readonly name = 'ClassroomSyncError';
}

type Crash = { index: number; atMs: number; restartAtMs: number };

/** Scenario → the simulator's own config. `crashes` is our array: triggers add to it while the run goes. */
export function toSimConfig(s: Scenario, crashes: Crash[], browser: boolean, counterWasm?: Uint8Array): SimConfig {
  if (s.workload === 'counter' && !counterWasm) throw new Error("the 'counter' workload needs the counter contract's wasm bytes (contracts/build/counter.wasm)");
  for (const f of s.faults) if (f.kind === 'crash') crashes.push({ index: f.index, atMs: roundStep(f.atMs), restartAtMs: f.restartAtMs === undefined ? -1 : roundStep(f.restartAtMs) });
  return {
    seed: s.seed,
    n: s.n,
    t: s.t,
    requests: s.requests,
    requestIntervalMs: s.requestIntervalMs,
    network: { dropRate: s.dropRate, duplicateRate: 0, delayMinMs: s.delayMinMs, delayMaxMs: s.delayMaxMs },
    byzantine: s.byzantine,
    // The simulator reads this array on every step (applySchedule), so a crash added by a trigger takes effect.
    crashes,
    ...(s.skewMs.some((x) => x !== 0) ? { clockSkewMs: s.skewMs } : {}),
    ...(s.rejectAnchorBlocks.length > 0 ? { rejectAnchorBlocks: s.rejectAnchorBlocks } : {}),
    ...(s.dkg ? { dkg: true } : {}),
    ...(s.workload === 'counter' && counterWasm ? { workload: 'counter' as const, counterWasm } : {}),
    maxTimeMs: 60_000,
    trace: true,
    ed25519Impl: browser ? 'noble' : 'node',
  };
}


/**
 * The real Simulation, stepped from outside: its observer's `aroundStep` waits at a gate until the engine grants
 * steps. Composition, not a subclass: the classroom sees the run only through the simulation's public API and
 * its SimObserver hooks (observer.ts); everything the classroom records lives in `Room`. Nothing of the protocol
 * is redone here.
 */
export class ClassroomSim {
  readonly sim: Simulation;
  readonly room: Room;
  constructor(scenario: Scenario, browser: boolean, counterWasm?: Uint8Array) {
    const crashes: Crash[] = [];
    this.sim = new Simulation(toSimConfig(scenario, crashes, browser, counterWasm));
    this.room = new Room(this.sim, scenario, crashes);
    this.sim.observe(this.room.observer);
  }

  run(): Promise<SimResult> {
    return this.sim.run();
  }
  step(): Promise<void> {
    return this.sim.step();
  }
  get slots(): Simulation['slots'] {
    return this.sim.slots;
  }
  get ledger(): Simulation['ledger'] {
    return this.sim.ledger;
  }
  get reproduce(): string {
    return this.sim.reproduce;
  }
}

/** The classroom's side of a run: the gate, the script, and the records (events, messages) it keeps. */
export class Room {
  readonly events: ClassEvent[] = [];
  readonly messages: ClassMessage[] = [];
  nowMs = 0;
  private traceCursor = 0;
  private allowance = 0;
  private resume: (() => void) | null = null;
  private parkedWaiters: (() => void)[] = [];
  private readonly triggered = new Set<number>();
  private chain: Address | null = null;
  private readonly extraIds: (RequestID | null)[];
  private walletFunded = false;
  private readonly faultNoted = new Set<string>();
  private readonly slots: Simulation['slots'];
  private readonly ledger: Simulation['ledger'];

  /**
   * What the classroom hooks into the run. The gate parks each step; the trace is flushed before each delivery and
   * after the step's deliveries so every log line keeps its causal order; the scenario's cut and slow links act at
   * send time, and a lost message is drawn as an arrow that fades halfway.
   */
  readonly observer: SimObserver = {
    aroundStep: async (step) => {
      await this.gate();
      this.beforeStep();
      await step();
      this.flushTrace();
    },
    beforeDeliver: (m) => {
      this.flushTrace();
      this.onDelivered(m);
    },
    afterDeliveries: () => this.flushTrace(),
    linkRule: (nowMs, from, to) => this.linkRule(this.actorOf(from), this.actorOf(to), nowMs),
    onDropped: (d) => {
      const a = this.actorOf(d.from);
      const b = this.actorOf(d.to);
      if (a !== null && b !== null) this.recordMessage(a, b, d.nowMs, d.nowMs + Math.max(20, d.faults.delayMaxMs), d.payload, 'dropped');
    },
  };

  constructor(
    private readonly sim: Simulation,
    readonly scenario: Scenario,
    private readonly crashes: Crash[],
  ) {
    this.slots = sim.slots;
    this.ledger = sim.ledger;
    this.extraIds = scenario.extraRequests.map(() => null);
  }

  /* ------------------------------------------------------------ gate */

  /** Grants `k` more steps and resolves when they ran (the sim parks at its next step) or `done` resolves. */
  grant(k: number, done: Promise<unknown>): Promise<void> {
    this.allowance += k;
    const parked = new Promise<void>((r) => this.parkedWaiters.push(r));
    const r = this.resume;
    this.resume = null;
    r?.();
    return Promise.race([parked, done.then(() => undefined)]);
  }

  /** Resolves when the simulation first parks (setup done up to its first step). */
  firstPark(): Promise<void> {
    return new Promise<void>((r) => this.parkedWaiters.push(r));
  }

  /** Called by the simulation at the top of each step: waits until a step is granted, then advances the clock. */
  async gate(): Promise<void> {
    while (this.allowance <= 0) {
      await new Promise<void>((r) => {
        this.resume = r;
        const ws = this.parkedWaiters.splice(0);
        for (const w of ws) w();
      });
    }
    this.allowance--;
    this.nowMs += STEP_MS;
    // Lines the simulator recorded between steps (its wallet posting requests) come before this step's.
    this.flushTrace();
  }

  /* ------------------------------------------------------------ script */

  beforeStep(): void {
    const now = this.nowMs;
    for (const [i, f] of this.scenario.faults.entries()) this.noteFault(i, f, now);
    this.chain ??= this.slots.find((s) => s.node?.chains()[0])?.node?.chains()[0] ?? null;
    if (this.chain && this.scenario.extraRequests.length > 0) this.postExtraRequests(now);
  }

  private noteFault(i: number, f: ScriptFault, now: number): void {
    const once = (key: string, text: string): void => {
      if (this.faultNoted.has(key)) return;
      this.faultNoted.add(key);
      this.log({ timeMs: now, actor: 'classroom', kind: 'fault', text, step: null });
    };
    if (f.kind === 'partition') {
      if (now === roundStep(f.fromMs)) once(`${i}f`, `Fault: the network is partitioned — members {${f.isolate.join(', ')}} are cut off from the others.`);
      if (f.toMs !== undefined && now === roundStep(f.toMs)) once(`${i}t`, 'Fault healed: the partition is over.');
    } else if (f.kind === 'cutLink' || f.kind === 'slowLink') {
      const what = f.kind === 'cutLink' ? 'is cut: every message on it is lost' : `is slow: +${f.extraMs} ms per message`;
      if (now === roundStep(f.fromMs)) once(`${i}f`, `Fault: the link ${actorName(f.a)} ↔ ${actorName(f.b)} ${what}.`);
      if (f.toMs !== undefined && now === roundStep(f.toMs)) once(`${i}t`, `Fault healed: the link ${actorName(f.a)} ↔ ${actorName(f.b)} is back to normal.`);
    }
  }

  /** The classroom's own wallet (its faucet spends the same genesis on the same ledger) posts extra requests. */
  private postExtraRequests(now: number): void {
    const wallet = ed25519KeyPairFromSeed(blake2b256(utf8(`classroom wallet ${this.scenario.seed}`)));
    const atMs = SIM_EPOCH_MS + now;
    if (!this.walletFunded) {
      const faucet = new Faucet(this.ledger, faucetKeyPair(), 1n << 30n);
      this.ledger.submit(faucet.request(wallet.address), atMs);
      this.walletFunded = true;
      return;
    }
    this.scenario.extraRequests.forEach((r, i) => {
      if (this.extraIds[i] !== null || now < roundStep(r.atMs)) return;
      const funds = this.ledger.getUnspentOutputs(wallet.address).map((o) => ({ id: o.id, balances: o.balances }));
      const timelock = r.unlockAfterMs > 0 ? Math.ceil((atMs + r.unlockAfterMs) / 1000) : 0;
      const tx = buildRequestTx(wallet, funds, [{ target: { chainId: this.chain as Address, hname: H.accounts }, entryPoint: hname(EP.accounts.deposit), transfer: balancesOf([[COLOR_IOTA, 10n]]), timelock }]);
      const res = this.ledger.submit(tx, atMs);
      const txId = transactionId(tx);
      this.extraIds[i] = { txId, index: 0 };
      const lock = timelock > 0 ? `, time-locked for ${(r.unlockAfterMs / 1000).toFixed(1)} s (until virtual ${Math.round(timelock * 1000 - SIM_EPOCH_MS)} ms by the members' clocks)` : '';
      this.log({ timeMs: now, actor: 'wallet', kind: 'l1', text: `The classroom wallet posted request ${txIdToString(txId).slice(0, 10)}…${lock}${res.state === 'rejected' ? ` — REJECTED by L1: ${res.reason}` : ''}.`, step: null });
    });
  }

  /** Extra requests all posted and processed on every running honest member. */
  extraDone(): boolean {
    if (this.extraIds.some((x) => x === null)) return this.scenario.extraRequests.length === 0;
    const chain = this.chain;
    if (!chain) return false;
    return this.slots.filter((s) => s.byzantine === null && s.node).every((s) => {
      const st = s.node?.solidState(chain);
      return !!st && this.extraIds.every((id) => id !== null && isRequestProcessed(st, id));
    });
  }

  get chainAddress(): Address | null {
    return this.chain;
  }

  lastScriptMs(): number {
    let m = 0;
    for (const f of this.scenario.faults) {
      if (f.kind === 'crash') m = Math.max(m, f.atMs, f.restartAtMs ?? 0);
      else if (f.kind === 'crashLeader') m = Math.max(m, ...this.crashes.map((c) => Math.max(c.atMs, c.restartAtMs)));
      else if (f.kind === 'byzantineLeader') continue;
      else m = Math.max(m, f.fromMs, f.toMs ?? 0);
    }
    for (const r of this.scenario.extraRequests) m = Math.max(m, r.atMs + r.unlockAfterMs);
    return m;
  }

  /* ------------------------------------------------------------ network observation */

  private actorOf(id: string): Actor | null {
    if (id === 'L1') return 'L1';
    const i = this.slots.findIndex((s) => s.id === id);
    return i >= 0 ? i : null;
  }

  private linkRule(a: Actor | null, b: Actor | null, now: number): 'cut' | number {
    let extra = 0;
    if (a === null || b === null) return 0;
    for (const f of this.scenario.faults) {
      if (f.kind === 'crash' || f.kind === 'crashLeader' || f.kind === 'byzantineLeader') continue;
      if (now < roundStep(f.fromMs) || (f.toMs !== undefined && now >= roundStep(f.toMs))) continue;
      if (f.kind === 'partition') {
        if (a !== 'L1' && b !== 'L1' && f.isolate.includes(a) !== f.isolate.includes(b)) return 'cut';
        continue;
      }
      const on = (f.a === a && f.b === b) || (f.a === b && f.b === a);
      if (!on) continue;
      if (f.kind === 'cutLink') return 'cut';
      extra += f.extraMs;
    }
    return extra;
  }

  private onDelivered(m: InFlight<SimPayload>): void {
    const a = this.actorOf(m.from);
    const b = this.actorOf(m.to);
    if (a === null || b === null) return;
    const up = b === 'L1' || !!this.slots[b]?.node;
    this.recordMessage(a, b, m.sentAtMs, m.deliverAtMs, m.payload, up ? 'delivered' : 'lost');
  }

  private recordMessage(from: Actor, to: Actor, sentAtMs: number, deliverAtMs: number, p: SimPayload, fate: ClassMessage['fate']): void {
    if (this.messages.length >= CLASSROOM_LIMITS.messagesMax) return;
    const d = decodeMessage(p, from, to);
    const seq = this.messages.length;
    this.messages.push({ seq, from, to, sentAtMs, deliverAtMs, kind: d.kind, label: d.label, fate, minor: d.minor, detail: d.detail });
    if (fate === 'delivered') this.log({ timeMs: deliverAtMs, actor: to, kind: d.kind, text: d.arrival, step: d.step, seq, ...(d.minor ? { minor: true } : {}) });
    else if (fate === 'lost') this.log({ timeMs: deliverAtMs, actor: to, kind: 'lost', text: `${d.label} from ${actorName(from)} was lost: ${actorName(to)} is down.`, step: null, seq });
    else this.log({ timeMs: sentAtMs, actor: from, kind: 'dropped', text: `${d.label} from ${actorName(from)} to ${actorName(to)} was dropped by the network.`, step: null, seq, ...(d.minor ? { minor: true } : {}) });
  }

  /* ------------------------------------------------------------ the simulator's own trace */

  flushTrace(): void {
    const trace = this.sim.traceEvents;
    for (; this.traceCursor < trace.length; this.traceCursor++) {
      const e = trace[this.traceCursor] as TraceEvent;
      if (e.timeMs > this.nowMs || e.timeMs < this.nowMs - STEP_MS) throw new ClassroomSyncError(`trace line at ${e.timeMs} ms while the classroom clock says ${this.nowMs} ms: STEP_MS no longer mirrors engine.ts`);
      // Deliveries are logged by the network observer with the decoded message instead.
      if (e.text === `${e.kind} delivered` || e.text === 'Anchor transaction posted to L1.') continue;
      const actor: ClassEvent['actor'] = e.from.startsWith('node') ? Number(e.from.slice(4)) : e.from === 'L1' ? 'L1' : e.from === 'wallet' ? 'wallet' : 'sim';
      this.log({ timeMs: e.timeMs, actor, kind: e.kind, text: explainTrace(e.kind, e.from, e.text), step: stepOfTrace(e.kind, e.text), ...(e.kind === 'l1' ? { minor: false } : {}) });
      if (e.kind === 'leaderRotation') this.onLeaderRound(e.text);
    }
  }

  /** Triggers of the script that depend on what happened (e.g. "crash the leader of block #2"). */
  private onLeaderRound(text: string): void {
    const m = /^Round for block #(\d+): leader is member (\d+)/.exec(text);
    if (!m) return;
    const block = Number(m[1]);
    const leader = Number(m[2]);
    this.scenario.faults.forEach((f, i) => {
      if ((f.kind !== 'crashLeader' && f.kind !== 'byzantineLeader') || f.blockIndex !== block || this.triggered.has(i)) return;
      this.triggered.add(i);
      if (f.kind === 'byzantineLeader') {
        this.sim.turnByzantine(leader, f.behaviour);
        this.log({ timeMs: this.nowMs, actor: 'classroom', kind: 'fault', text: `Scenario: member ${leader}, the leader for block #${block}, turns Byzantine (${f.behaviour}).`, step: null });
        return;
      }
      const atMs = roundStep(this.nowMs + f.afterMs);
      this.crashes.push({ index: leader, atMs, restartAtMs: roundStep(atMs + f.downMs) });
      this.log({ timeMs: this.nowMs, actor: 'classroom', kind: 'fault', text: `Scenario: member ${leader}, the leader for block #${block}, will crash at ${atMs} ms and restart at ${roundStep(atMs + f.downMs)} ms.`, step: null });
    });
  }

  private log(e: Omit<ClassEvent, 'i'>): void {
    if (this.events.length >= CLASSROOM_LIMITS.eventsMax) return;
    this.events.push({ i: this.events.length, ...e });
  }

  /** Request IDs (keys) of the extra requests, for tests. */
  extraRequestKeys(): string[] {
    return this.extraIds.flatMap((id) => (id ? [requestIDKey(id)] : []));
  }

  /** Hex state hash of the first running honest member (the run's "final state hash" when it ends). */
  honestStateHash(): { blockIndex: number; stateHash: string } {
    const chain = this.chain;
    for (const s of this.slots) {
      if (s.byzantine !== null || !s.node || !chain) continue;
      const st = s.node.solidState(chain);
      if (st) return { blockIndex: st.blockIndex, stateHash: toHex(st.stateHash) };
    }
    return { blockIndex: 0, stateHash: '' };
  }
}

export function actorName(a: Actor): string {
  return a === 'L1' ? 'L1' : `member ${a}`;
}
