import { requestIDKey, SeededRng, toHex, transactionId, txIdToString, type Address, type Balances, type RequestID, type ValueTransaction } from '../protocol';
import { Ledger } from '../ledger/ledger';
import { Faucet, faucetGenesis, faucetKeyPair } from '../ledger/faucet';
import { NodeConnServer, type NodeConnSession } from '../nodeconn/server';
import type { WaspFromNode } from '../nodeconn/messages';
import { createSignatureVerifier } from '../crypto/verifier';
import { blsVerify } from '../crypto/bls';
import { ed25519KeyPairFromSeed, type Ed25519KeyPair } from '../crypto/ed25519';
import { MemoryRegistry, MemorySolidStateStore } from '../state/store-memory';
import type { SolidStateStore } from '../state/store';
import { createNode, type WaspNode } from '../node/node';
import type { ProtocolEvent } from '../node/types';
import { decodePeerFrame } from '../chain/wire';
import type { ConsensusTimeouts } from '../consensus/params';
import type { VmOutcome, VmTask } from '../consensus/vm-port';
import type { ThresholdSigner } from '../consensus/signer';
import { NO_FAULTS, SimNetwork, type NetworkFaults } from './network';
import { CostMeter, type SimCost } from './cost';
import type { ByzantineKind } from './byzantine-kinds';
import type { SimConfig, TraceEvent } from './config';
import type { SimObserver, SimPayload } from './observer';

/** Virtual ms per step: fine enough for the network's delays, coarse enough to run a seed in about a second. */
export const STEP_MS = 10;
/** Nodes tick every 100 ms of virtual time, as a host calls `node.tick()` (src/node/README.md). */
export const TICK_EVERY_MS = 100;
/** The virtual clock starts at this Unix time (ms): block timestamps look like real ones. */
export const SIM_EPOCH_MS = 1_700_000_000_000;
export const L1_ID = 'L1';
/** Shorter than the production timeouts so faulty seeds finish in virtual seconds, still ≫ the network's delays. */
const SIM_TIMEOUTS: ConsensusTimeouts = { leaderProposalMs: 1_500, resultsMs: 1_500, anchorConfirmMs: 2_000, resendMs: 300, inclusionPollMs: 200 };
/** The trace keeps at most this many events (a long soak writes only the summary). */
const TRACE_EVENTS_MAX = 200_000;

export interface SimNodeSlot {
  readonly index: number;
  readonly id: string;
  /** ed25519 seed of the node identity (its secret key: the DKG signs with it). */
  readonly seed: Uint8Array;
  readonly store: SolidStateStore;
  readonly registry: MemoryRegistry;
  node: WaspNode | null;
  session: NodeConnSession;
  /** Set at creation; `turnByzantine` may set it later for a behaviour that acts only on what the member sends. */
  byzantine: ByzantineKind | null;
  unsub: (() => void) | null;
}

/** Liveness failure: a goal was not reached within its bound of virtual time. */
export class LivenessFailure extends Error {
  override readonly name = 'LivenessFailure';
}

/**
 * What the simulation plugs into the engine (sim.ts wires faults.ts, byzantine.ts and invariants.ts here): the
 * engine runs the clock and the network and calls these at fixed points, so it needs no knowledge of any fault.
 */
export interface EngineParts {
  /** The store a node slot gets (tampering on reload, invariant checks on every commit). */
  store(inner: SolidStateStore, index: number, byzantine: boolean): SolidStateStore;
  /** A node's outgoing peering frame: sends it (or not, or altered) through `engine.send`. */
  peerSend(slot: SimNodeSlot, to: string, bytes: Uint8Array): void;
  runVM(kind: ByzantineKind | null): (task: VmTask) => VmOutcome;
  wrapSigner(slot: SimNodeSlot, s: ThresholdSigner): ThresholdSigner;
  /** Top of a step, after the clock moved: crashes, restarts and partitions due now. */
  applySchedule(): void;
  /** A node posts a transaction to L1: true when an injected L1 fault answered it instead. */
  interceptTransaction(slot: SimNodeSlot, tx: ValueTransaction): boolean;
  /** A peering frame arrives at a running slot. */
  onPeerArrival(slot: SimNodeSlot, bytes: Uint8Array): void;
  /** Every tick, before the nodes tick: members acting on their own. */
  onTick(): void;
  /** End of a step: bookkeeping of which posted requests are done. */
  afterStep(): void;
}

/** Figures the deployment and workloads report in SimResult (kept as they go: a violation keeps what was counted). */
export interface SimTally {
  crossChainProcessed: number;
  straysSwept: number;
  vaultRoundTrips: number;
  hostileInitRefused: boolean;
  timelockedProcessed: number;
  deploy: { virtualMs: number; wallMs: number; viaDkg: boolean } | null;
  workloadCost: SimCost | null;
}

/** A request the wallets posted: when, and when every honest node had processed it. */
export interface PostedRequest {
  readonly id: RequestID;
  readonly chain: Address;
  readonly atMs: number;
  doneMs: number | null;
}

/**
 * The deterministic core (TigerBeetle's VOPR idea): one seeded random source, a virtual clock in STEP_MS steps,
 * the seeded network, the real L1 ledger and node-connection server, and the node slots running real
 * `createNode` nodes. Everything else (faults, invariants, workloads) works through this object.
 */
export class SimEngine {
  readonly cfg: SimConfig;
  readonly rng: SeededRng;
  /** Created first: the ledger's signature verifier is measured by it. */
  readonly meter = new CostMeter();
  private timeMs = SIM_EPOCH_MS;
  readonly ledger: Ledger;
  readonly server: NodeConnServer;
  readonly faucet: Faucet;
  private readonly net: SimNetwork<SimPayload>;
  readonly slots: SimNodeSlot[] = [];
  private readonly trace: TraceEvent[] = [];
  /** The chains the committee runs, in deployment order (the first is the one most scenarios use). */
  readonly chains: { readonly address: Address; readonly color: Uint8Array }[] = [];
  /** Every request posted, by request ID key. */
  readonly posted = new Map<string, PostedRequest>();
  readonly tally: SimTally = { crossChainProcessed: 0, straysSwept: 0, vaultRoundTrips: 0, hostileInitRefused: false, timelockedProcessed: 0, deploy: null, workloadCost: null };
  /** The simulation's own wallet: it deploys the chains and posts the workload's requests. */
  readonly wallet: Ed25519KeyPair;
  private parts: EngineParts | null = null;
  private observer: SimObserver | null = null;

  constructor(cfg: SimConfig) {
    // The order of these draws from the seed is part of every seed's run: do not reorder.
    this.cfg = cfg;
    this.rng = new SeededRng(cfg.seed);
    this.net = new SimNetwork(this.rng, cfg.network ?? NO_FAULTS);
    const fkp = faucetKeyPair();
    this.ledger = new Ledger({ verifier: this.meter.verifier(createSignatureVerifier({ ed25519Impl: cfg.ed25519Impl ?? 'node', bls: blsVerify })), confirmDelayMs: cfg.confirmDelayMs ?? 50, genesis: [faucetGenesis(fkp)] });
    this.faucet = new Faucet(this.ledger, fkp, 1n << 40n);
    this.server = new NodeConnServer(this.ledger, this.faucet);
    this.wallet = ed25519KeyPairFromSeed(this.rng.bytes(32));
  }

  /** Once, before the run: the simulation's faults and invariants. */
  plug(parts: EngineParts): void {
    if (this.parts) throw new Error('sim: engine parts are plugged once');
    this.parts = parts;
  }

  /** Once, before the run: a host watching the run (the classroom). */
  observe(observer: SimObserver): void {
    if (this.observer) throw new Error('sim: one observer per simulation');
    this.observer = observer;
  }

  private get p(): EngineParts {
    if (!this.parts) throw new Error('sim: engine used before its parts were plugged');
    return this.parts;
  }

  /** Virtual ms since the start. */
  get now(): number {
    return this.timeMs - SIM_EPOCH_MS;
  }

  /** Virtual Unix time (ms): what the ledger and the nodes' clocks read. */
  get unixMs(): number {
    return this.timeMs;
  }

  get chainAddress(): Address | null {
    return this.chains[0]?.address ?? null;
  }
  get chainColor(): Uint8Array | null {
    return this.chains[0]?.color ?? null;
  }

  get traceEvents(): readonly TraceEvent[] {
    return this.trace;
  }

  get messagesDropped(): number {
    return this.net.dropped;
  }

  record(from: string, to: string, kind: string, text: string): void {
    if (this.cfg.trace && this.trace.length < TRACE_EVENTS_MAX) this.trace.push({ timeMs: this.now, from, to, kind, text });
  }

  honest(): SimNodeSlot[] {
    return this.slots.filter((s) => s.byzantine === null);
  }

  honestBlockIndex(): number {
    const chain = this.chainAddress;
    return (chain && this.honest()[0]?.node?.solidState(chain)?.blockIndex) || 0;
  }

  /** Remembers a posted request (the invariants wait for it on every honest node). */
  post(id: RequestID, chain: Address): void {
    this.posted.set(requestIDKey(id), { id, chain, atMs: this.now, doneMs: null });
  }

  /* ------------------------------------------------------------ network */

  /** Every message goes through here: the observer's link rule first (classroom cut/slow links), then the network. */
  send(from: string, to: string, payload: SimPayload, faults?: NetworkFaults): void {
    const o = this.observer;
    if (!o) return this.net.send(this.now, from, to, payload, faults);
    const f = faults ?? this.net.faults;
    const rule = o.linkRule?.(this.now, from, to) ?? 0;
    const before = this.net.dropped;
    if (rule === 'cut') this.net.dropped++;
    else this.net.send(this.now, from, to, payload, rule > 0 ? { ...f, delayMinMs: f.delayMinMs + rule, delayMaxMs: f.delayMaxMs + rule } : f);
    if (this.net.dropped > before) o.onDropped?.({ nowMs: this.now, from, to, payload, faults: f });
  }

  /** L1 → node: the node connection is a reliable stream (never dropped or duplicated, only delayed). */
  sendFromL1(to: string, msg: WaspFromNode): void {
    this.send(L1_ID, to, { kind: 'fromL1', msg }, { ...this.net.faults, dropRate: 0, duplicateRate: 0 });
  }

  partition(groups: readonly (readonly string[])[]): void {
    this.net.partition(groups);
  }
  heal(): void {
    this.net.heal();
  }

  /* ------------------------------------------------------------ node slots */

  async createSlot(index: number): Promise<void> {
    const seed = this.rng.bytes(32);
    const kp = ed25519KeyPairFromSeed(seed);
    const id = toHex(kp.publicKey);
    const byz = this.cfg.byzantine?.find((b) => b.index === index)?.kind ?? null;
    const slot: SimNodeSlot = { index, id, seed, store: this.p.store(new MemorySolidStateStore(), index, byz !== null), registry: new MemoryRegistry(), node: null, session: this.server.openSession(), byzantine: byz, unsub: null };
    await slot.registry.putNodeIdentity({ publicKey: kp.publicKey, secretKey: seed });
    this.slots.push(slot);
  }

  /** A node on the slot's store and registry (at the start, and again on each restart). */
  boot(slot: SimNodeSlot): WaspNode {
    const skew = this.cfg.clockSkewMs?.[slot.index] ?? 0;
    const parts = this.p;
    const node = createNode(
      {
        nodeId: slot.id,
        nodeKey: slot.seed,
        clock: { nowMs: () => this.timeMs + skew },
        rng: this.rng,
        peering: { send: (to, bytes) => parts.peerSend(slot, to, bytes) },
        l1: { send: (msg) => this.send(slot.id, L1_ID, { kind: 'toL1', msg }, { ...this.net.faults, dropRate: 0, duplicateRate: 0 }) },
        store: slot.store,
        registry: slot.registry,
      },
      { timeouts: this.cfg.timeouts ?? SIM_TIMEOUTS, runVM: parts.runVM(slot.byzantine), wrapSigner: (s) => parts.wrapSigner(slot, s) },
    );
    slot.unsub = node.subscribe((e) => {
      if (e.type === 'protocol') this.onProtocolEvent(slot, e.event);
    });
    slot.node = node;
    return node;
  }

  /** A crash: the node object is gone (its store stays), its L1 session closes. */
  crash(slot: SimNodeSlot): void {
    slot.unsub?.();
    slot.node = null;
    this.server.closeSession(slot.session);
  }

  private onProtocolEvent(slot: SimNodeSlot, e: ProtocolEvent): void {
    if (e.direction === 'received') return; // the network records deliveries itself
    this.record(`node${slot.index}`, e.peer ? `node${this.slots.findIndex((s) => s.id === e.peer)}` : '', e.kind, e.text);
  }

  /* ------------------------------------------------------------ the wallet on L1 */

  submit(tx: ValueTransaction, what: string): Uint8Array {
    const r = this.meter.time('l1', () => this.ledger.submit(tx, this.timeMs));
    if (r.state === 'rejected') throw new Error(`sim: ${what} rejected by L1: ${r.reason}`);
    this.record('wallet', L1_ID, 'l1', `Posted ${what} ${txIdToString(r.txId).slice(0, 10)}…`);
    return transactionId(tx);
  }

  walletFunds(): { id: { txId: Uint8Array; address: Address }; balances: Balances }[] {
    return this.ledger.getUnspentOutputs(this.wallet.address).map((o) => ({ id: o.id, balances: o.balances }));
  }

  async fundWallet(): Promise<void> {
    const tx = this.faucet.request(this.wallet.address);
    this.submit(tx, 'faucet');
    await this.advance(this.ledger.confirmDelayMs + STEP_MS);
  }

  /* ------------------------------------------------------------ time */

  /** Advances virtual time until `cond` holds; LivenessFailure after `limitMs`. */
  async until(cond: () => boolean, limitMs: number, what: string): Promise<void> {
    const deadline = this.now + limitMs;
    while (!cond()) {
      if (this.now >= deadline) throw new LivenessFailure(`liveness: '${what}' not reached within ${limitMs} ms of virtual time`);
      await this.step();
    }
  }

  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    while (this.now < end) await this.step();
  }

  /** One step, wrapped by the observer if it asked to (not async itself: no extra turn of the event loop). */
  step(): Promise<void> {
    const o = this.observer;
    return o?.aroundStep ? o.aroundStep(() => this.stepOnce()) : this.stepOnce();
  }

  /** True in the one step whose interval (now − STEP_MS, now] contains `atMs` (schedules need not be step multiples). */
  reached(atMs: number): boolean {
    return this.now >= atMs && this.now - STEP_MS < atMs;
  }

  /** Faults scheduled now, deliveries, L1 confirmations, ticks; then the completion bookkeeping. */
  private async stepOnce(): Promise<void> {
    this.timeMs += STEP_MS;
    this.p.applySchedule();
    const o = this.observer;
    for (const m of this.net.due(this.now)) {
      o?.beforeDeliver?.(m);
      this.deliver(m.from, m.to, m.payload);
    }
    o?.afterDeliveries?.();
    const routed = this.meter.time('l1', () => this.server.route(this.ledger.tick(this.timeMs)));
    for (const { session, message } of routed) {
      const slot = this.slots.find((s) => s.session === session);
      if (slot) this.sendFromL1(slot.id, message);
    }
    if (this.now % TICK_EVERY_MS === 0) {
      this.p.onTick();
      for (const s of this.slots) s.node?.tick();
    }
    for (const s of this.slots) await s.node?.idle();
    this.p.afterStep();
  }

  private deliver(from: string, to: string, p: SimPayload): void {
    if (p.kind === 'toL1') {
      const slot = this.slots.find((s) => s.id === from);
      if (!slot || !slot.node) return;
      if (p.msg.kind === 'waspToNodeTransaction' && this.p.interceptTransaction(slot, p.msg.tx)) return;
      for (const reply of this.meter.time('l1', () => this.server.handle(slot.session, p.msg, this.timeMs))) this.sendFromL1(slot.id, reply);
      // Faucet requests are paid at once here (the hub batches them over faucetBatchWindowMs).
      for (const r of this.server.flushFaucet(this.timeMs)) {
        const dest = this.slots.find((x) => x.session === r.session);
        if (dest) this.sendFromL1(dest.id, r.message);
      }
      if (p.msg.kind === 'waspToNodeTransaction') this.record(`node${slot.index}`, L1_ID, 'anchorPosted', `Anchor transaction posted to L1.`);
      return;
    }
    const slot = this.slots.find((s) => s.id === to);
    if (!slot || !slot.node) return; // crashed: the message is lost
    if (p.kind === 'peer') this.p.onPeerArrival(slot, p.bytes);
    if (p.kind === 'fromL1') {
      slot.node.onL1Message(p.msg);
      return;
    }
    if (this.cfg.trace) {
      try {
        const f = decodePeerFrame(p.bytes);
        const kind = f.channel === 'consensus' ? f.msg.kind : f.channel === 'sync' ? f.msg.kind : 'dkg';
        this.record(`node${this.slots.findIndex((s) => s.id === from)}`, `node${slot.index}`, kind, `${kind} delivered`);
      } catch {
        /* malformed frames are the node's business */
      }
    }
    slot.node.onPeerMessage(from, p.bytes);
  }
}
