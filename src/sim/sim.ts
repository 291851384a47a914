import {
  addBalances,
  addressBytes,
  addressEquals,
  encodeSCPayload,
  addressKey,
  argsOf,
  balancesOf,
  ANCHOR_LIMITS,
  COLOR_IOTA,
  colorKey,
  equalBytes,
  hname,
  requestIDKey,
  SeededRng,
  compareRequestIDs,
  toHex,
  transactionId,
  txIdFromString,
  txIdToString,
  utf8,
  type Address,
  type Balances,
  type RequestID,
  type ValueTransaction,
} from '../protocol';
import { Ledger } from '../ledger/ledger';
import { Faucet, faucetGenesis, faucetKeyPair } from '../ledger/faucet';
import { NodeConnServer, type NodeConnSession } from '../nodeconn/server';
import type { WaspFromNode, WaspToNode } from '../nodeconn/messages';
import { createSignatureVerifier } from '../crypto/verifier';
import { blsVerify } from '../crypto/bls';
import { blsAddress, trustedDealerKeygen, type KeyShare } from '../crypto/threshold';
import { ed25519KeyPairFromSeed, signTransaction, type Ed25519KeyPair } from '../crypto/ed25519';
import { MemoryRegistry, MemorySolidStateStore } from '../state/store-memory';
import type { BootupRecord, SolidStateStore, StoredChainState } from '../state/store';
import type { Block, Mutation } from '../state/types';
import { createNode, type WaspNode } from '../node/node';
import type { ProtocolEvent } from '../node/types';
import { decodePeerFrame, encodePeerFrame, type PeerFrame } from '../chain/wire';
import { roundKey } from '../consensus/operator';
import { leaderAt, leaderPermutation } from '../consensus/permutation';
import type { ComputationContextMsg, ConsensusMsg } from '../consensus/messages';
import { VirtualState } from '../state/vstate';
import { stateSectionOf } from '../state/manager';
import type { DeployChainResult } from '../node/setup';
import { decU64, encU64 } from '../vm/dict';
import { buildOriginTx, buildRequestTx, buildTransferTx } from '../chain/deploy';
import { CONSENSUS_PARAMS, type ConsensusTimeouts } from '../consensus/params';
import type { VmOutcome, VmTask } from '../consensus/vm-port';
import { runBatch } from '../vm/runner';
import { isRequestProcessed, readReceipt } from '../vm/core/blocklog';
import { ROOT_VAR, rootKey } from '../vm/core/registry';
import { listAccounts, accountBalances, totalAssets } from '../vm/core/ledger';
import { H, EP, P } from '../vm/core/names';
import { NO_FAULTS, SimNetwork, type NetworkFaults } from './network';
import { CostMeter, type SimCost } from './cost';
import type { ByzantineKind } from './byzantine-kinds';

/** forgedSync's forgeries: other mutations under the real anchor / under its own L1 transaction / a made-up anchor ID. */
export type ForgedSyncKind = 'mutations' | 'ownAnchor' | 'madeUpAnchor';
const FORGED_SYNC_KINDS: readonly ForgedSyncKind[] = ['mutations', 'ownAnchor', 'madeUpAnchor'];

/** Byzantine behaviours: src/sim/byzantine-kinds.ts (what each does). */
export { BYZANTINE_KINDS, isByzantineKind, type ByzantineKind } from './byzantine-kinds';

/** Behaviours that act only on what a member sends, so a running honest member can turn to them (classroom triggers). */
export type SendPathByzantineKind = 'silent' | 'equivocate' | 'flood' | 'replay';

/** flood: extra copies of every frame it sends, and forged messages per member per tick. */
const FLOOD_COPIES = 3;
const FLOOD_PER_TICK = 8;
/** replay: frames kept (a random one is overwritten when full, so old states' frames linger) and re-sent per tick. */
const REPLAY_KEPT_MAX = 512;
const REPLAYS_PER_TICK = 4;

/** What the wallets post after the chain is up. */
export type SimWorkload = 'deposit' | 'counter' | 'crossChain';

export interface SimConfig {
  readonly seed: number;
  readonly n: number;
  readonly t: number;
  /** Deposit requests posted by wallets after the chain is up. */
  readonly requests: number;
  /** Virtual ms between two posted requests. */
  readonly requestIntervalMs?: number;
  readonly network?: NetworkFaults;
  readonly byzantine?: readonly { readonly index: number; readonly kind: ByzantineKind }[];
  /**
   * Crash and restart from the store. `tamper`: the restarted node reads an edited store — 'state' one stored
   * value changed, 'block' a mutation of block #1 changed — which it must refuse and resync (verifyStoredChain).
   */
  readonly crashes?: readonly { readonly index: number; readonly atMs: number; readonly restartAtMs: number; readonly tamper?: 'state' | 'block' }[];
  readonly partition?: { readonly groups: readonly (readonly number[])[]; readonly fromMs: number; readonly toMs: number };
  /** Clock skew per node index (ms). */
  readonly clockSkewMs?: readonly number[];
  readonly timeouts?: ConsensusTimeouts;
  readonly confirmDelayMs?: number;
  /** Give up (liveness failure) after this much virtual time. */
  readonly maxTimeMs?: number;
  readonly trace?: boolean;
  /** ed25519 verifier of the L1 ledger (default 'node'; a browser host such as the classroom worker needs 'noble'). */
  readonly ed25519Impl?: 'node' | 'noble';
  /** Deploy the chain through the node API (`deployChain`: real DKG over the simulated peering) instead of trusted-dealer keys. */
  readonly dkg?: boolean;
  /** DKG phase timeout (virtual ms) when `dkg` is set. */
  readonly dkgPhaseTimeoutMs?: number;
  /** 'deposit' (default): accounts.deposit requests; 'counter': deploy `counterWasm` (blob + root) and post increments. */
  readonly workload?: SimWorkload;
  /**
   * Chains deployed on the same committee nodes (default 1). 'crossChain' (needs ≥ 1; ≥ 2 for cross-chain
   * traffic) deploys the counter on each and posts counter.incrementOn: a third of the requests to the next
   * chain, a third to the next chain which answers back, a third from a contract to its own chain.
   */
  readonly chains?: number;
  /** Deposit workload: every other request is time-locked this far ahead (rounded up to whole seconds). */
  readonly timelockMs?: number;
  /** Before the real init, an intruder's wallet posts root init (trusted-dealer deployment): it must be refused. */
  readonly hostileInit?: boolean;
  /** The counter contract's wasm bytes (contracts/build/counter.wasm), needed by the 'counter' and 'crossChain' workloads. */
  readonly counterWasm?: Uint8Array;
  /**
   * contracts/build/vault.wasm: with it the 'crossChain' workload also deploys the vault on the first two chains
   * and moves IOTA both ways through contract accounts (vault.stash → accounts.deposit on the other chain;
   * vault.recall → accounts.withdrawToChain there, which sends them home), checking the accounts on every node.
   */
  readonly vaultWasm?: Uint8Array;
  /** forgedSync: the forgeries its members send, in turn (default all three). */
  readonly forgedSyncKinds?: readonly ForgedSyncKind[];
  /** L1 rejects the first anchor posted for each of these block indices (requests must stay, the round restart). */
  readonly rejectAnchorBlocks?: readonly number[];
}

/** One line of the trace: plain data, what a page replays. */
export interface TraceEvent {
  readonly timeMs: number;
  readonly from: string;
  readonly to: string;
  readonly kind: string;
  readonly text: string;
}

export interface SimResult {
  readonly ok: boolean;
  readonly violation: string | null;
  readonly timeMs: number;
  readonly blocks: number;
  /** Block index of each chain (first = blocks). */
  readonly chainBlocks: readonly number[];
  /** Requests contracts posted to other chains (or their own) that were processed (crossChain workload). */
  readonly crossChainProcessed: number;
  /**
   * Stray outputs (tokens in a chain address without a request: the crossChain workload's plain transfers and the
   * request tokens chains send back) still waiting when the workload's requests were done, then swept by further
   * requests (most ride along earlier). The workload fails if any is left unspent.
   */
  readonly straysSwept: number;
  /** forgedSync: forged block answers the Byzantine members sent, and the refusals honest nodes recorded. */
  readonly forgedSyncSent: number;
  readonly syncRefused: number;
  /** Restarted nodes that refused their (tampered) store and reset it. */
  readonly storesRefused: number;
  /** crossChain with vaultWasm: stash + recall round trips that ended with every account right on every node. */
  readonly vaultRoundTrips: number;
  /** cfg.hostileInit: an init from another address than the originator's was refused on every honest node. */
  readonly hostileInitRefused: boolean;
  /** cfg.timelockMs: time-locked requests checked (each processed in a block not earlier than its lock). */
  readonly timelockedProcessed: number;
  readonly requestsProcessed: number;
  readonly finalStateHash: string;
  readonly evidence: number;
  readonly messagesDropped: number;
  /** Per request: ms from posting to committed on all honest nodes. */
  readonly latenciesMs: number[];
  readonly trace: TraceEvent[];
  readonly reproduce: string;
  /** Chain deployment (through DKG when cfg.dkg): virtual and wall-clock ms from start to block #1 on all honest nodes. */
  readonly deploy?: { readonly virtualMs: number; readonly wallMs: number; readonly viaDkg: boolean };
  /** Anchors the injected L1 fault rejected. */
  readonly anchorsRejected?: number;
  /** Where the time of the request workload went (after deployment), all nodes in this one process. */
  readonly cost?: SimCost;
}

/** Where the request workload's time went: src/sim/cost.ts. */
export type { SimCost } from './cost';

const STEP_MS = 10;
const TICK_EVERY_MS = 100;
const L1_ID = 'L1';
const SIM_TIMEOUTS: ConsensusTimeouts = { leaderProposalMs: 1_500, resultsMs: 1_500, anchorConfirmMs: 2_000, resendMs: 300, inclusionPollMs: 200 };
/** The trace keeps at most this many events (a long soak writes only the summary). */
const TRACE_EVENTS_MAX = 200_000;

interface SimNodeSlot {
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

/** Violation of a safety invariant: the simulation stops at once with the seed that reproduces it. */
export class InvariantViolation extends Error {
  override readonly name = 'InvariantViolation';
}

/**
 * Deterministic simulator (TigerBeetle's VOPR idea): real nodes (createNode), the real L1 ledger and node
 * connection server, a virtual clock and one seeded network. After every step it checks the invariants.
 */
export class Simulation {
  readonly cfg: SimConfig;
  private readonly rng: SeededRng;
  private timeMs = 1_700_000_000_000;
  private readonly startMs = this.timeMs;
  readonly ledger: Ledger;
  private readonly server: NodeConnServer;
  private readonly faucet: Faucet;
  /** Protected so a host subclass (the classroom) can observe messages in flight. */
  protected readonly net: SimNetwork<{ kind: 'peer'; bytes: Uint8Array } | { kind: 'toL1'; msg: WaspToNode } | { kind: 'fromL1'; msg: WaspFromNode }>;
  readonly slots: SimNodeSlot[] = [];
  /** Protected so a host subclass (the classroom) can stream the event log as it grows. */
  protected readonly trace: TraceEvent[] = [];
  /** The chains the committee runs, in deployment order (the first is the one most scenarios use). */
  private readonly chains: { readonly address: Address; readonly color: Uint8Array }[] = [];
  /** Committed state hash per chain and block index, from the first honest commit seen (safety invariant). */
  private readonly committedHash = new Map<string, string>();
  /** request → block index where each honest node processed it (exactly once per node). */
  private readonly processedAt = new Map<string, Map<number, number>>();
  private readonly posted = new Map<string, { id: RequestID; chain: Address; atMs: number; doneMs: number | null }>();
  private crossChainProcessed = 0;
  private straysSwept = 0;
  /** forgedSync: blocks each forger committed (to rebuild the state a forged block follows), and forgeries sent. */
  private readonly forgerBlocks = new Map<string, Block[]>();
  private forgedSyncSent = 0;
  /** Crashes with `tamper`: the store the restarted node reads is edited (what someone with the tab's origin can do). */
  private readonly tampered = new Map<number, 'state' | 'block'>();
  private storesRefused = 0;
  private vaultRoundTrips = 0;
  private hostileInitRefused = false;
  private timelocked = 0;
  /** Block timestamp (ms) per chain and block index, from honest commits. */
  private readonly blockAt = new Map<string, number>();
  private wallet: Ed25519KeyPair;
  private deployFigures: { virtualMs: number; wallMs: number; viaDkg: boolean } | null = null;
  private readonly equivocated = new Set<string>();
  /** replay: the frames each replaying member has seen, by slot index. */
  private readonly replayKept = new Map<number, Uint8Array[]>();
  /** hijack: the last (member → target, round) traced, so the trace shows each new hijack once. */
  private readonly hijackTraced = new Map<string, string>();
  private readonly rejectedAnchorBlocks = new Set<number>();
  private readonly meter = new CostMeter();
  private workloadCost: SimCost | null = null;
  private processedMemo: { stamp: string; all: boolean } | null = null;
  private markDoneStamp = '';

  constructor(cfg: SimConfig) {
    this.cfg = cfg;
    this.rng = new SeededRng(cfg.seed);
    this.net = new SimNetwork(this.rng, cfg.network ?? NO_FAULTS);
    const fkp = faucetKeyPair();
    this.ledger = new Ledger({ verifier: this.meter.verifier(createSignatureVerifier({ ed25519Impl: cfg.ed25519Impl ?? 'node', bls: blsVerify })), confirmDelayMs: cfg.confirmDelayMs ?? 50, genesis: [faucetGenesis(fkp)] });
    this.faucet = new Faucet(this.ledger, fkp, 1n << 40n);
    this.server = new NodeConnServer(this.ledger, this.faucet);
    this.wallet = ed25519KeyPairFromSeed(this.rng.bytes(32));
  }

  private get chainAddress(): Address | null {
    return this.chains[0]?.address ?? null;
  }
  private get chainColor(): Uint8Array | null {
    return this.chains[0]?.color ?? null;
  }

  get reproduce(): string {
    const c = this.cfg;
    const f: string[] = [];
    if (c.network && c.network.dropRate > 0) f.push(`drop=${c.network.dropRate}`);
    if (c.network && c.network.duplicateRate > 0) f.push(`dup=${c.network.duplicateRate}`);
    if (c.network && c.network.delayMaxMs > 0) f.push(`delay=${c.network.delayMinMs}-${c.network.delayMaxMs}`);
    for (const b of c.byzantine ?? []) f.push(`${b.kind}@${b.index}`);
    for (const k of c.crashes ?? []) f.push(`crash@${k.index}:${k.atMs}-${k.restartAtMs}`);
    if (c.partition) f.push(`partition@${c.partition.fromMs}-${c.partition.toMs}`);
    if (c.clockSkewMs?.some((s) => s !== 0)) f.push(`skew=${c.clockSkewMs.join('/')}`);
    for (const b of c.rejectAnchorBlocks ?? []) f.push(`rejectAnchor@${b}`);
    const extra = `${c.dkg ? ' --dkg' : ''}${c.workload && c.workload !== 'deposit' ? ` --workload ${c.workload}` : ''}${c.chains && c.chains > 1 ? ` --chains ${c.chains}` : ''}${c.requestIntervalMs !== undefined ? ` --interval ${c.requestIntervalMs}` : ''}`;
    return `npm run sim -- --seed ${c.seed} --n ${c.n} --t ${c.t} --requests ${c.requests}${extra}${f.length ? ` --faults ${f.join(',')}` : ''}`;
  }

  private get now(): number {
    return this.timeMs - this.startMs;
  }

  private record(from: string, to: string, kind: string, text: string): void {
    if (this.cfg.trace && this.trace.length < TRACE_EVENTS_MAX) this.trace.push({ timeMs: this.now, from, to, kind, text });
  }

  /* ------------------------------------------------------------ setup */

  private async createSlot(index: number): Promise<void> {
    const seed = this.rng.bytes(32);
    const kp = ed25519KeyPairFromSeed(seed);
    const id = toHex(kp.publicKey);
    const byz = this.cfg.byzantine?.find((b) => b.index === index)?.kind ?? null;
    const slot: SimNodeSlot = { index, id, seed, store: this.recordingStore(new MemorySolidStateStore(), index, byz !== null), registry: new MemoryRegistry(), node: null, session: this.server.openSession(), byzantine: byz, unsub: null };
    await slot.registry.putNodeIdentity({ publicKey: kp.publicKey, secretKey: seed });
    this.slots.push(slot);
  }

  private boot(slot: SimNodeSlot): WaspNode {
    const skew = this.cfg.clockSkewMs?.[slot.index] ?? 0;
    const node = createNode(
      {
        nodeId: slot.id,
        nodeKey: slot.seed,
        clock: { nowMs: () => this.timeMs + skew },
        rng: this.rng,
        peering: { send: (to, bytes) => this.peerSend(slot, to, bytes) },
        l1: { send: (msg) => this.net.send(this.now, slot.id, L1_ID, { kind: 'toL1', msg }, { ...this.net.faults, dropRate: 0, duplicateRate: 0 }) },
        store: slot.store,
        registry: slot.registry,
      },
      { timeouts: this.cfg.timeouts ?? SIM_TIMEOUTS, runVM: this.vmFor(slot.byzantine), wrapSigner: (s) => this.meter.signer(slot.byzantine === 'badPartialSig' ? corruptSigner(s) : s) },
    );
    slot.unsub = node.subscribe((e) => {
      if (e.type === 'protocol') this.onProtocolEvent(slot, e.event);
    });
    slot.node = node;
    return node;
  }

  private vmFor(kind: ByzantineKind | null): (task: VmTask) => VmOutcome {
    if (kind !== 'wrongResult') return (task) => this.meter.time('vm', () => runBatch(task));
    // Byzantine: a result that differs in one state byte.
    return (task) => {
      const r = this.meter.time('vm', () => runBatch(task));
      const u = r.updates[0];
      if (!u) return r;
      return { ...r, updates: [{ ...u, mutations: [...u.mutations, { kind: 'set', key: utf8('byzantine'), value: Uint8Array.of(1) }] }, ...r.updates.slice(1)] };
    };
  }

  private onProtocolEvent(slot: SimNodeSlot, e: ProtocolEvent): void {
    if (e.direction === 'received') return; // the network records deliveries itself
    this.record(`node${slot.index}`, e.peer ? `node${this.slots.findIndex((s) => s.id === e.peer)}` : '', e.kind, e.text);
  }

  /** Wraps a store so every honest commit is checked against the safety invariants as it happens. */
  private recordingStore(inner: SolidStateStore, index: number, byzantine: boolean): SolidStateStore {
    return {
      loadChain: async (c) => {
        const r = await inner.loadChain(c);
        return r && this.tampered.get(index) === 'state' ? tamperEntries(r) : r;
      },
      getBlock: async (c, i) => {
        const b = await inner.getBlock(c, i);
        return b && i === 1 && this.tampered.get(index) === 'block' ? tamperBlock(b) : b;
      },
      isRequestProcessed: (c, id) => inner.isRequestProcessed(c, id),
      resetChain: async (c) => {
        await inner.resetChain(c);
        this.tampered.delete(index);
        this.storesRefused++;
      },
      commitBlock: async (c, block: Block, muts: readonly Mutation[], hash: Uint8Array, ids: readonly RequestID[]) => {
        await inner.commitBlock(c, block, muts, hash, ids);
        if (byzantine) {
          if (this.cfg.byzantine?.some((b) => b.index === index && b.kind === 'forgedSync')) {
            const k = `${index}|${addressKey(c)}`;
            this.forgerBlocks.set(k, [...(this.forgerBlocks.get(k) ?? []), block]);
          }
          return;
        }
        const h = toHex(hash);
        const at = `${addressKey(c)}#${block.blockIndex}`;
        const prev = this.committedHash.get(at);
        if (prev && prev !== h) throw new InvariantViolation(`two different blocks committed at index ${block.blockIndex} (node ${index})`);
        this.committedHash.set(at, h);
        this.blockAt.set(at, Number(block.timestamp / 1_000_000n));
        for (const id of ids) {
          const k = requestIDKey(id);
          const m = this.processedAt.get(k) ?? new Map<number, number>();
          if (m.has(index) && m.get(index) !== block.blockIndex) throw new InvariantViolation(`request ${k.slice(0, 12)} processed twice on node ${index}`);
          m.set(index, block.blockIndex);
          this.processedAt.set(k, m);
        }
      },
    };
  }

  /* ------------------------------------------------------------ run */

  async run(): Promise<SimResult> {
    let violation: string | null = null;
    try {
      for (let i = 0; i < this.cfg.n; i++) await this.createSlot(i);
      for (const s of this.slots) await this.boot(s).start();
      await this.deploy();
      this.meter.reset(this.honestBlockIndex());
      await this.workload();
      this.workloadCost = this.meter.result(this.honestBlockIndex());
    } catch (e) {
      if (!(e instanceof InvariantViolation || e instanceof LivenessFailure)) throw e;
      violation = e.message;
    }
    return this.result(violation);
  }

  /**
   * A running honest member turns Byzantine from now on (e.g. "the leader of block #2 equivocates", resolved by the
   * classroom from the run). From then on it is excluded from the honest-member invariants, as if so from the start.
   */
  turnByzantine(index: number, kind: SendPathByzantineKind): void {
    const slot = this.slots[index];
    if (!slot) throw new Error(`sim: no member ${index}`);
    if (slot.byzantine !== null) return;
    slot.byzantine = kind;
    this.record(`node${index}`, '', 'fault', `Member ${index} turns Byzantine: ${kind}.`);
  }

  private async deploy(): Promise<void> {
    const wall0 = performance.now();
    const virt0 = this.now;
    await this.fundWallet();
    for (let c = 0; c < Math.max(1, this.cfg.chains ?? 1); c++) {
      if (this.cfg.dkg) await this.deployWithDkg();
      else await this.deployTrustedDealer();
    }
    this.deployFigures = { virtualMs: this.now - virt0, wallMs: performance.now() - wall0, viaDkg: this.cfg.dkg === true };
  }

  /** Spec "Deployment of the contract chain" through the node API: DKG over the simulated peering, origin, activation, init. */
  private async deployWithDkg(): Promise<void> {
    const { n, t } = this.cfg;
    const initiator = this.honest()[0]?.node;
    if (!initiator) throw new Error('sim: no honest node to initiate the deployment');
    let result: DeployChainResult | null = null;
    let error: unknown = null;
    initiator
      .deployChain({ committeeNodeIds: this.slots.map((s) => s.id), t, description: `sim chain seed ${this.cfg.seed}`, initiatorWallet: this.wallet, phaseTimeoutMs: this.cfg.dkgPhaseTimeoutMs ?? 1_000 })
      .then((r) => (result = r), (e: unknown) => (error = e));
    await this.until(() => result !== null || error !== null, this.cfg.maxTimeMs ?? 120_000, 'chain deployed through DKG');
    if (error !== null) throw new LivenessFailure(`deployChain failed: ${error instanceof Error ? error.message : String(error)}`);
    const r = result as unknown as DeployChainResult;
    this.chains.push({ address: r.chainAddress, color: r.chainColor });
    this.record('wallet', L1_ID, 'deploy', `Chain deployed through DKG (QUAL {${r.qual.join(', ')}}), committee of ${n}, quorum ${t}.`);
    this.posted.set(requestIDKey(r.initRequestId), { id: r.initRequestId, chain: r.chainAddress, atMs: this.now, doneMs: null });
    await this.until(() => this.allHonestProcessed(), this.cfg.maxTimeMs ?? 60_000, 'block #1 (root init)');
  }

  private async deployTrustedDealer(): Promise<void> {
    const { n, t } = this.cfg;
    const keys = trustedDealerKeygen(n, t, this.rng);
    const chainAddress = blsAddress((keys[0] as KeyShare).masterPublicKey);
    const origin = buildOriginTx(this.wallet, this.walletFunds(), chainAddress, BigInt(this.timeMs) * 1_000_000n);
    const originId = this.submit(origin, 'origin transaction');
    await this.until(() => this.ledger.getConfirmedTransaction(originId) !== undefined, 5_000, 'origin confirmed');
    this.chains.push({ address: chainAddress, color: originId });
    const ids = this.slots.map((s) => s.id);
    for (const s of this.slots) {
      const record: BootupRecord = { chainAddress, chainColor: originId, committeeNodeIds: ids, n, t, myIndex: s.index };
      if (!s.node) throw new Error(`sim: node ${s.index} is crashed while chain ${this.chains.length} is deployed: schedule crashes after the deployment`);
      await s.node.activateChain(record, keys[s.index] as KeyShare);
    }
    this.record('wallet', L1_ID, 'deploy', `Origin transaction ${txIdToString(originId).slice(0, 10)}… minted the chain token; committee of ${n} activated (quorum ${t}).`);
    if (this.cfg.hostileInit) await this.hostileInit(chainAddress, originId);
    const init = buildRequestTx(this.wallet, this.walletFunds(), [
      { target: { chainId: chainAddress, hname: H.root }, entryPoint: hname(EP.init), args: argsOf([[P.chainColor, originId], [P.description, utf8(`sim chain seed ${this.cfg.seed}`)]]) },
    ]);
    const initId = this.submit(init, 'init request');
    this.posted.set(requestIDKey({ txId: initId, index: 0 }), { id: { txId: initId, index: 0 }, chain: chainAddress, atMs: this.now, doneMs: null });
    await this.until(() => this.allHonestProcessed(), this.cfg.maxTimeMs ?? 60_000, 'block #1 (root init)');
  }

  /** Someone else than the originator sends root init first: it must be refused and change nothing. */
  private async hostileInit(chain: Address, originId: Uint8Array): Promise<void> {
    const intruder = ed25519KeyPairFromSeed(this.rng.bytes(32));
    this.submit(this.faucet.request(intruder.address), 'faucet (intruder)');
    await this.advance(this.ledger.confirmDelayMs + STEP_MS);
    const funds = this.ledger.getUnspentOutputs(intruder.address).map((o) => ({ id: o.id, balances: o.balances }));
    const tx = buildRequestTx(intruder, funds, [{ target: { chainId: chain, hname: H.root }, entryPoint: hname(EP.init), args: argsOf([[P.chainColor, originId], [P.description, utf8('hijacked')]]) }]);
    const id: RequestID = { txId: this.submit(tx, 'init request from an intruder'), index: 0 };
    await this.until(() => this.honest().every((s) => { const st = s.node?.solidState(chain); return st !== null && st !== undefined && isRequestProcessed(st, id); }), 30_000, 'intruder init processed');
    for (const s of this.honest()) {
      const st = s.node?.solidState(chain);
      const rc = st ? readReceipt(st, id) : undefined;
      if (!rc || rc.ok || rc.error?.kind !== 'Unauthorized') throw new InvariantViolation(`node ${s.index}: init from an intruder was not refused (receipt ${rc ? (rc.ok ? 'ok' : rc.error?.kind) : 'none'})`);
      if (st?.get(rootKey(ROOT_VAR.initialized))) throw new InvariantViolation(`node ${s.index}: the intruder's init initialized the chain`);
    }
    this.hostileInitRefused = true;
  }

  private async workload(): Promise<void> {
    if (this.cfg.workload === 'counter') return this.counterWorkload();
    if (this.cfg.workload === 'crossChain') return this.crossChainWorkload();
    const interval = this.cfg.requestIntervalMs ?? 5;
    const locks: { id: RequestID; untilMs: number }[] = [];
    for (let i = 0; i < this.cfg.requests; i++) {
      // With cfg.timelockMs every other request is time-locked (whole seconds, spec "Request section") that far ahead.
      const timelock = this.cfg.timelockMs && i % 2 === 1 ? Math.ceil((this.timeMs + this.cfg.timelockMs) / 1000) : 0;
      const tx = this.meter.time('client', () => buildRequestTx(this.wallet, this.walletFunds(), [{ target: { chainId: this.chainAddress as Address, hname: H.accounts }, entryPoint: hname(EP.accounts.deposit), transfer: balancesOf([[COLOR_IOTA, 10n]]), timelock }]));
      const txId = this.submit(tx, `deposit request ${i}`);
      this.posted.set(requestIDKey({ txId, index: 0 }), { id: { txId, index: 0 }, chain: this.chainAddress as Address, atMs: this.now, doneMs: null });
      if (timelock) locks.push({ id: { txId, index: 0 }, untilMs: timelock * 1000 });
      await this.advance(interval);
    }
    await this.until(() => this.allHonestProcessed() && this.quiescent(), this.cfg.maxTimeMs ?? 120_000, 'every request processed');
    this.checkTimelocks(locks);
    this.checkAccounts();
  }

  /** Deploys the wasm counter (blob + root.deployContract through the node API), posts increments, checks the view. */
  private async counterWorkload(): Promise<void> {
    const wasm = this.cfg.counterWasm;
    if (!wasm) throw new Error("sim: the 'counter' workload needs cfg.counterWasm (contracts/build/counter.wasm)");
    const chain = this.chainAddress as Address;
    const node = this.honest()[0]?.node as WaspNode;
    let posted: { requestIds: readonly RequestID[] } | null = null;
    let error: unknown = null;
    node.deployContract(this.wallet, chain, { name: 'counter', program: wasm, description: 'counter (sim)' }).then((r) => (posted = r), (e: unknown) => (error = e));
    await this.until(() => posted !== null || error !== null, 30_000, 'counter deploy transaction confirmed');
    if (error !== null) throw new LivenessFailure(`deployContract failed: ${error instanceof Error ? error.message : String(error)}`);
    for (const id of (posted as unknown as { requestIds: readonly RequestID[] }).requestIds) this.posted.set(requestIDKey(id), { id, chain, atMs: this.now, doneMs: null });
    // Increments posted before the deployment is processed could land in an earlier batch position: wait.
    await this.until(() => this.allHonestProcessed(), this.cfg.maxTimeMs ?? 60_000, 'counter contract deployed');
    const interval = this.cfg.requestIntervalMs ?? 5;
    for (let i = 0; i < this.cfg.requests; i++) {
      const tx = this.meter.time('client', () => buildRequestTx(this.wallet, this.walletFunds(), [{ target: { chainId: chain, hname: hname('counter') }, entryPoint: hname('increment') }]));
      const txId = this.submit(tx, `increment request ${i}`);
      this.posted.set(requestIDKey({ txId, index: 0 }), { id: { txId, index: 0 }, chain: this.chainAddress as Address, atMs: this.now, doneMs: null });
      await this.advance(interval);
    }
    await this.until(() => this.allHonestProcessed() && this.quiescent(), this.cfg.maxTimeMs ?? 120_000, 'every increment processed');
    for (const s of this.honest()) {
      const v = s.node?.callView(chain, 'counter', 'getCounter').get('counter');
      const counter = v ? decU64(v) : -1n;
      if (counter !== BigInt(this.cfg.requests)) throw new InvariantViolation(`counter view on node ${s.index} is ${counter}, ${this.cfg.requests} increments were posted`);
    }
    this.checkAccounts();
  }

  /**
   * Contracts posting requests (spec "Cross-chain requests"): the counter on every chain, then wallet requests
   * to counter.incrementOn — to the next chain, to the next chain which answers back, or to the contract's own
   * chain. Holds when every counter shows exactly the increments aimed at it (each cross-chain request processed
   * exactly once), all chains keep producing blocks, each chain's accounts add up to its chain output and the
   * total supply on L1 is unchanged.
   */
  private async crossChainWorkload(): Promise<void> {
    const wasm = this.cfg.counterWasm;
    if (!wasm) throw new Error("sim: the 'crossChain' workload needs cfg.counterWasm (contracts/build/counter.wasm)");
    // The API node: an honest member no scheduled crash takes down.
    const crashing = new Set((this.cfg.crashes ?? []).map((c) => c.index));
    const node = (this.honest().find((s) => s.node && !crashing.has(s.index)) ?? this.honest()[0])?.node as WaspNode;
    for (const c of this.chains) {
      let posted: { requestIds: readonly RequestID[] } | null = null;
      let error: unknown = null;
      node.deployContract(this.wallet, c.address, { name: 'counter', program: wasm, description: 'counter (sim)' }).then((r) => (posted = r), (e: unknown) => (error = e));
      await this.until(() => posted !== null || error !== null, 30_000, 'counter deploy transaction confirmed');
      if (error !== null) throw new LivenessFailure(`deployContract failed: ${error instanceof Error ? error.message : String(error)}`);
      for (const id of (posted as unknown as { requestIds: readonly RequestID[] }).requestIds) this.posted.set(requestIDKey(id), { id, chain: c.address, atMs: this.now, doneMs: null });
    }
    await this.until(() => this.allHonestProcessed(), this.cfg.maxTimeMs ?? 60_000, 'counter deployed on every chain');
    const k = this.chains.length;
    const expected = this.chains.map(() => 0n);
    let crossPosted = 0;
    const interval = this.cfg.requestIntervalMs ?? 5;
    for (let i = 0; i < this.cfg.requests; i++) {
      const src = i % k;
      const kind = i % 3; // 0: to the next chain; 1: to the next chain, which answers back; 2: to the own chain
      const dst = kind === 2 ? src : (src + 1) % k;
      const n = BigInt(1 + (i % 7));
      const args: [string, Uint8Array][] = [['chain', addressBytes((this.chains[dst] as { address: Address }).address)], ['n', encU64(n)]];
      if (kind === 1) args.push(['back', addressBytes((this.chains[src] as { address: Address }).address)]);
      expected[kind === 1 ? src : dst] = (expected[kind === 1 ? src : dst] as bigint) + n;
      crossPosted += kind === 1 ? 2 : 1;
      const src0 = (this.chains[src] as { address: Address }).address;
      const tx = this.meter.time('client', () =>
        buildRequestTx(this.wallet, this.walletFunds(), [{ target: { chainId: src0, hname: hname('counter') }, entryPoint: hname('incrementOn'), transfer: balancesOf([[COLOR_IOTA, 2n]]), args: argsOf(args.map(([a, b]) => [utf8(a), b] as const)) }]),
      );
      const txId = this.submit(tx, `incrementOn request ${i}`);
      this.posted.set(requestIDKey({ txId, index: 0 }), { id: { txId, index: 0 }, chain: src0, atMs: this.now, doneMs: null });
      // Every fourth time, tokens sent to the chain without a request: a stray its anchors must sweep.
      if (i % 4 === 3) this.submit(buildTransferTx(this.wallet, this.walletFunds(), src0, balancesOf([[COLOR_IOTA, 3n]])), `3 IOTA without a request to chain ${src}`);
      await this.advance(interval);
    }
    const counters = (): bigint[][] =>
      this.honest().map((s) => this.chains.map((c) => {
        const v = s.node?.solidState(c.address) ? s.node.callView(c.address, 'counter', 'getCounter').get('counter') : undefined;
        return v ? decU64(v) : -1n;
      }));
    const reached = (): boolean => {
      const all = counters();
      for (const row of all) row.forEach((v, c) => {
        if (v > (expected[c] as bigint)) throw new InvariantViolation(`counter on chain ${c} is ${v} > the ${expected[c]} aimed at it: a cross-chain request was processed twice`);
      });
      return all.every((row) => row.every((v, c) => v === expected[c]));
    };
    await this.until(() => this.allHonestProcessed() && reached() && this.quiescent(), this.cfg.maxTimeMs ?? 120_000, 'every cross-chain increment processed');
    this.crossChainProcessed = crossPosted;
    if (this.cfg.vaultWasm && this.chains.length >= 2) await this.vaultRounds(node, this.cfg.vaultWasm);
    await this.sweepStrays();
    this.checkAccounts();
    this.checkSupply();
  }

  /**
   * withdrawToChain both ways through real nodes: the vault on chain X (X = 0, 1) stashes STASH IOTA in its account
   * on the other chain Y, then recalls them. Each honest node must show the vault's account on Y going to STASH
   * and back to 0, and the vault's account on X ending at STASH (everything else it was sent paid tokens).
   */
  private async vaultRounds(node: WaspNode, wasm: Uint8Array): Promise<void> {
    const STASH = 10n;
    const x0 = this.chains[0] as { address: Address };
    const x1 = this.chains[1] as { address: Address };
    for (const c of [x0, x1]) {
      let done: { requestIds: readonly RequestID[] } | null = null;
      let error: unknown = null;
      node.deployContract(this.wallet, c.address, { name: 'vault', program: wasm, description: 'vault (sim)' }).then((r) => (done = r), (e: unknown) => (error = e));
      await this.until(() => done !== null || error !== null, 30_000, 'vault deploy transaction confirmed');
      if (error !== null) throw new LivenessFailure(`deploying the vault failed: ${error instanceof Error ? error.message : String(error)}`);
      for (const id of (done as unknown as { requestIds: readonly RequestID[] }).requestIds) this.posted.set(requestIDKey(id), { id, chain: c.address, atMs: this.now, doneMs: null });
    }
    await this.until(() => this.allHonestProcessed(), this.cfg.maxTimeMs ?? 60_000, 'vault deployed');
    const iotasOf = (chain: Address, owner: Address): bigint[] =>
      this.honest().map((s) => {
        const st = s.node?.solidState(chain);
        return st ? (accountBalances(st, { chainId: owner, hname: hname('vault') }).get(colorKey(COLOR_IOTA)) ?? 0n) : -1n;
      });
    const all = (v: bigint[], want: bigint): boolean => v.every((x) => x === want);
    const call = async (chain: Address, entry: 'stash' | 'recall', other: Address, iotas: bigint): Promise<void> => {
      const tx = buildRequestTx(this.wallet, this.walletFunds(), [{ target: { chainId: chain, hname: hname('vault') }, entryPoint: hname(entry), transfer: balancesOf([[COLOR_IOTA, iotas]]), args: argsOf([[utf8('chain'), addressBytes(other)], [utf8('n'), encU64(STASH)]]) }]);
      const txId = this.submit(tx, `vault.${entry}`);
      this.posted.set(requestIDKey({ txId, index: 0 }), { id: { txId, index: 0 }, chain, atMs: this.now, doneMs: null });
    };
    for (const [home, away] of [[x0.address, x1.address], [x1.address, x0.address]] as const) {
      await call(home, 'stash', away, STASH + 1n);
      await this.until(() => this.allHonestProcessed() && all(iotasOf(away, home), STASH) && this.quiescent(), this.cfg.maxTimeMs ?? 60_000, 'vault.stash: the IOTA in its account on the other chain');
      await call(home, 'recall', away, 2n);
      await this.until(() => this.allHonestProcessed() && all(iotasOf(away, home), 0n) && all(iotasOf(home, home), STASH) && this.quiescent(), this.cfg.maxTimeMs ?? 60_000, 'vault.recall: withdrawToChain sent them home');
      this.vaultRoundTrips++;
    }
  }

  /**
   * Strays ride along with requests: while a chain address holds any, one more request to that chain, until none
   * is left. More rounds than the strays need at ANCHOR_LIMITS.straysMax per anchor is a violation (left unspent).
   */
  private async sweepStrays(): Promise<void> {
    for (const c of this.chains) {
      const strays = (): number => this.ledger.getOutputs(c.address).filter((o) => !o.balances.has(colorKey(c.color))).length;
      const before = strays();
      const rounds = Math.ceil(before / ANCHOR_LIMITS.straysMax) + 1;
      for (let i = 0; i < rounds && strays() > 0; i++) {
        const tx = buildRequestTx(this.wallet, this.walletFunds(), [{ target: { chainId: c.address, hname: hname('accounts') }, entryPoint: hname('deposit') }]);
        const txId = this.submit(tx, 'a deposit that sweeps strays');
        this.posted.set(requestIDKey({ txId, index: 0 }), { id: { txId, index: 0 }, chain: c.address, atMs: this.now, doneMs: null });
        await this.until(() => this.allHonestProcessed() && this.quiescent(), this.cfg.maxTimeMs ?? 60_000, 'the sweeping deposit processed');
      }
      if (strays() > 0) throw new InvariantViolation(`${strays()} stray output(s) left in a chain address after ${rounds} sweeping requests: nobody spends them`);
      this.straysSwept += before;
    }
  }

  /** No time-locked request was processed before its time: its block's timestamp is not earlier than the lock. */
  private checkTimelocks(locks: readonly { id: RequestID; untilMs: number }[]): void {
    const chain = this.chainAddress as Address;
    for (const s of this.honest()) {
      const st = s.node?.solidState(chain);
      if (!st) continue;
      for (const l of locks) {
        const rc = readReceipt(st, l.id);
        const block = rc ? (this.blockAt.get(`${addressKey(chain)}#${rc.blockIndex}`) ?? null) : null;
        if (block === null) throw new InvariantViolation(`node ${s.index}: time-locked request has no receipt or block`);
        if (block < l.untilMs) throw new InvariantViolation(`node ${s.index}: a request locked until ${l.untilMs} was processed in a block of ${block}`);
      }
    }
    this.timelocked = locks.length;
  }

  /** Token conservation on L1: what the genesis gave is all still there, across wallets, faucet and chains. */
  private checkSupply(): void {
    const addresses = [faucetKeyPair().address, this.wallet.address, ...this.chains.map((c) => c.address)];
    let total = 0n;
    for (const a of addresses) for (const o of this.ledger.getUnspentOutputs(a)) for (const v of o.balances.values()) total += v;
    const genesis = [...faucetGenesis(faucetKeyPair()).balances.values()].reduce((x, y) => x + y, 0n);
    if (total !== genesis) throw new InvariantViolation(`total supply on L1 is ${total}, genesis gave ${genesis}`);
  }

  /** Peering of one node, with its Byzantine behaviour applied. */
  private peerSend(slot: SimNodeSlot, to: string, bytes: Uint8Array): void {
    const k = slot.byzantine;
    if (k === 'silent') return;
    // A hijacker never helps: its own rounds, results and notifications are withheld (it still serves sync).
    if ((k === 'hijack' || k === 'hijackValid') && channelOf(bytes) === 'consensus') return;
    if (k === 'equivocate') bytes = this.equivocate(to, bytes);
    if (k === 'replay') this.keepForReplay(slot, bytes);
    if (k === 'forgedSync') bytes = this.forgeSync(slot, bytes);
    this.net.send(this.now, slot.id, to, { kind: 'peer', bytes });
    if (k === 'flood') for (let i = 0; i < FLOOD_COPIES; i++) this.net.send(this.now, slot.id, to, { kind: 'peer', bytes });
  }

  /** forgedSync: a block answer goes out forged (the three kinds in turn); every other frame as it was. */
  private forgeSync(slot: SimNodeSlot, bytes: Uint8Array): Uint8Array {
    const f = decodePeerFrame(bytes);
    if (f.channel !== 'sync' || f.msg.kind !== 'syncBlock') return bytes;
    const real = f.msg.block;
    const first = real.updates[0];
    if (!first) return bytes;
    const block: Block = { ...real, updates: [{ ...first, mutations: [...first.mutations, { kind: 'set', key: utf8('forged'), value: Uint8Array.of(1) }] }, ...real.updates.slice(1)] };
    const kinds = this.cfg.forgedSyncKinds ?? FORGED_SYNC_KINDS;
    const how = kinds[this.forgedSyncSent++ % kinds.length] as ForgedSyncKind;
    let anchorTxId = real.anchorTxId;
    if (how === 'ownAnchor') anchorTxId = this.forgedAnchor(slot, f.chain, block) ?? real.anchorTxId;
    else if (how === 'madeUpAnchor') anchorTxId = this.rng.bytes(32);
    this.record(`node${slot.index}`, '', 'fault', `Forged sync block #${real.blockIndex} (${how}).`);
    return encodePeerFrame({ ...f, msg: { kind: 'syncBlock', block: { ...block, anchorTxId } } });
  }

  /**
   * An L1 transaction the forger posts from the sim's wallet (to itself): a state section for `block` with the
   * state hash its forged mutations give. All it lacks is spending the chain's anchor output.
   */
  private forgedAnchor(slot: SimNodeSlot, chain: Address, block: Block): Uint8Array | null {
    const c = this.chains.find((x) => addressEquals(x.address, chain));
    if (!c) return null;
    const state = VirtualState.origin();
    for (const b of this.forgerBlocks.get(`${slot.index}|${addressKey(chain)}`) ?? []) if (b.blockIndex < block.blockIndex) state.applyBlock(b);
    if (state.blockIndex !== block.blockIndex - 1) return null;
    const funds = this.walletFunds();
    const total = funds.reduce<Balances>((sum, o) => addBalances(sum, o.balances), new Map());
    const dataPayload = encodeSCPayload({ state: { chainColor: c.color, blockIndex: block.blockIndex, timestamp: block.timestamp, stateHash: state.hashAfter(block) }, requests: [] });
    const tx = signTransaction({ inputs: funds.map((o) => o.id), outputs: [{ address: this.wallet.address, balances: total }], dataPayload }, [this.wallet]);
    return this.submit(tx, `forged anchor for block #${block.blockIndex}`);
  }

  /* ------------------------------------------------------------ Byzantine members acting on their own (every tick) */

  private byzantineActs(): void {
    const chain = this.chainAddress;
    if (!chain) return;
    for (const b of this.slots) {
      if (!b.node || b.byzantine === null) continue;
      if (b.byzantine === 'hijack' || b.byzantine === 'hijackValid') this.hijack(b, chain);
      else if (b.byzantine === 'flood') this.flood(b, chain);
      else if (b.byzantine === 'replay') this.replay(b);
    }
  }

  private sendConsensus(from: SimNodeSlot, to: SimNodeSlot, chain: Address, msg: ConsensusMsg): void {
    this.net.send(this.now, from.id, to.id, { kind: 'peer', bytes: encodePeerFrame({ channel: 'consensus', chain, msg }) });
  }

  /** The round an honest node is in (from its snapshot) and its solid state, or null before it has one. */
  private roundOf(h: SimNodeSlot, chain: Address): { anchorTxId: Uint8Array; blockIndex: number; leaderPos: number; state: VirtualState } | null {
    const snap = h.node?.snapshot(chain);
    const state = h.node?.solidState(chain);
    if (!snap || !snap.anchorTxId || !state) return null;
    return { anchorTxId: txIdFromString(snap.anchorTxId), blockIndex: snap.blockIndex, leaderPos: snap.leaderPos, state };
  }

  /** Issue #12's attack: a context for the hijacker's own next slot after each honest member's position. */
  private hijack(b: SimNodeSlot, chain: Address): void {
    for (const h of this.honest()) {
      const r = h.node ? this.roundOf(h, chain) : null;
      if (!r) continue;
      const perm = leaderPermutation(r.anchorTxId, this.cfg.n);
      let pos = r.leaderPos + 1;
      while (leaderAt(perm, pos) !== b.index) pos++;
      const requestIds = b.byzantine === 'hijackValid' ? this.pendingIds(r.state) : this.invalidBatch(r.state);
      if (b.byzantine === 'hijackValid' && requestIds.length === 0) continue;
      const own = BigInt(this.timeMs + (this.cfg.clockSkewMs?.[b.index] ?? 0)) * 1_000_000n;
      const msg: ComputationContextMsg = {
        kind: 'computationContext',
        round: { anchorTxId: r.anchorTxId, blockIndex: r.blockIndex, leaderPos: pos },
        timestamp: own > r.state.timestamp ? own : r.state.timestamp + 1n,
        rewardAddress: chain,
        requestIds,
      };
      const key = `${b.index}>${h.index}`;
      const what = `${r.blockIndex}/${pos}`;
      if (this.hijackTraced.get(key) !== what) {
        this.hijackTraced.set(key, what);
        this.record(`node${b.index}`, `node${h.index}`, 'fault', `Hijack: a context (${requestIds.length} request(s)${b.byzantine === 'hijack' ? ', invalid' : ''}) for its own slot ${pos}, member at ${r.leaderPos}.`);
      }
      this.sendConsensus(b, h, chain, msg);
    }
  }

  /** Posted requests not processed on `state`, as a batch would order them (each whole transaction is posted). */
  private pendingIds(state: VirtualState): RequestID[] {
    const ids = [...this.posted.values()].filter((p) => !isRequestProcessed(state, p.id)).map((p) => p.id);
    return ids.sort(compareRequestIDs).slice(0, CONSENSUS_PARAMS.batchRequestsMax);
  }

  /** An invalid batch, one of: empty, unknown request, wrong order, duplicate, already processed. */
  private invalidBatch(state: VirtualState): RequestID[] {
    const pending = this.pendingIds(state);
    const processed = [...this.posted.values()].filter((p) => isRequestProcessed(state, p.id)).map((p) => p.id);
    switch (this.rng.int(5)) {
      case 0:
        return [];
      case 1:
        return [{ txId: this.rng.bytes(32), index: 0 }];
      case 2:
        return pending.length >= 2 ? [...pending].reverse() : [];
      case 3:
        return pending[0] ? [pending[0], pending[0]] : [];
      default:
        return processed[0] ? [processed[0], ...pending].sort(compareRequestIDs) : [];
    }
  }

  /** Forged messages of every kind to every other member, for random positions near theirs. */
  private flood(b: SimNodeSlot, chain: Address): void {
    for (const h of this.slots) {
      if (h === b || !h.node) continue;
      const r = this.roundOf(h, chain);
      if (!r) continue;
      const perm = leaderPermutation(r.anchorTxId, this.cfg.n);
      for (let i = 0; i < FLOOD_PER_TICK; i++) {
        const pos = r.leaderPos + this.rng.int(3 * this.cfg.n);
        const round = { anchorTxId: r.anchorTxId, blockIndex: r.blockIndex, leaderPos: pos };
        const randomIds = Array.from({ length: 1 + this.rng.int(32) }, () => ({ txId: this.rng.bytes(32), index: this.rng.int(4) }));
        const pending = this.pendingIds(r.state);
        switch (this.rng.int(5)) {
          case 0: {
            const ids = this.rng.int(2) === 0 ? randomIds.sort(compareRequestIDs) : pending;
            this.sendConsensus(b, h, chain, { kind: 'computationContext', round, timestamp: BigInt(this.timeMs) * 1_000_000n, rewardAddress: chain, requestIds: ids });
            break;
          }
          case 1: {
            // A notification to the member as the leader of a later position (half of them): tempts a catch-up.
            let p = pos;
            if (this.rng.int(2) === 0) while (leaderAt(perm, p) !== h.index) p++;
            this.sendConsensus(b, h, chain, { kind: 'requestNotification', round: { ...round, leaderPos: p }, requestIds: [...pending, ...randomIds].slice(0, CONSENSUS_PARAMS.notificationRequestsMax) });
            break;
          }
          case 2:
            this.sendConsensus(b, h, chain, { kind: 'resultAndPartialSig', round, contextHash: this.rng.bytes(32), resultHash: this.rng.bytes(32), partialSig: this.rng.bytes(48) });
            break;
          case 3:
            this.sendConsensus(b, h, chain, { kind: 'anchorPosted', round, anchorTxId: this.rng.bytes(32) });
            break;
          default:
            this.net.send(this.now, b.id, h.id, { kind: 'peer', bytes: this.rng.bytes(1 + this.rng.int(64)) });
        }
      }
    }
  }

  private keepForReplay(b: SimNodeSlot, bytes: Uint8Array): void {
    if (channelOf(bytes) !== 'consensus') return;
    const kept = this.replayKept.get(b.index) ?? [];
    this.replayKept.set(b.index, kept);
    if (kept.length < REPLAY_KEPT_MAX) kept.push(bytes);
    else kept[this.rng.int(kept.length)] = bytes;
  }

  /** Re-sends random kept frames (as itself: the peering authenticates the sender) to random members. */
  private replay(b: SimNodeSlot): void {
    const kept = this.replayKept.get(b.index);
    if (!kept || kept.length === 0) return;
    for (let i = 0; i < REPLAYS_PER_TICK; i++) {
      const to = this.slots[this.rng.int(this.slots.length)] as SimNodeSlot;
      if (to === b) continue;
      this.net.send(this.now, b.id, to.id, { kind: 'peer', bytes: kept[this.rng.int(kept.length)] as Uint8Array });
    }
  }

  /** Equivocating leader: the first context of a round to each member has another timestamp (+1 ms). */
  private equivocate(to: string, bytes: Uint8Array): Uint8Array {
    let f: PeerFrame;
    try {
      f = decodePeerFrame(bytes);
    } catch {
      return bytes;
    }
    if (f.channel !== 'consensus' || f.msg.kind !== 'computationContext') return bytes;
    const key = `${roundKey(f.msg.round)}>${to}`;
    if (this.equivocated.has(key)) return bytes;
    if (this.equivocated.size > 10_000) this.equivocated.clear();
    this.equivocated.add(key);
    this.record('sim', '', 'fault', `Equivocating leader sends member ${to.slice(0, 8)} a different context.`);
    return encodePeerFrame({ ...f, msg: { ...f.msg, timestamp: f.msg.timestamp + 1_000_000n } });
  }

  private async fundWallet(): Promise<void> {
    const tx = this.faucet.request(this.wallet.address);
    this.submit(tx, 'faucet');
    await this.advance(this.ledger.confirmDelayMs + STEP_MS);
  }

  private walletFunds(): { id: { txId: Uint8Array; address: Address }; balances: Balances }[] {
    return this.ledger.getUnspentOutputs(this.wallet.address).map((o) => ({ id: o.id, balances: o.balances }));
  }

  private submit(tx: ValueTransaction, what: string): Uint8Array {
    const r = this.meter.time('l1', () => this.ledger.submit(tx, this.timeMs));
    if (r.state === 'rejected') throw new Error(`sim: ${what} rejected by L1: ${r.reason}`);
    this.record('wallet', L1_ID, 'l1', `Posted ${what} ${txIdToString(r.txId).slice(0, 10)}…`);
    return transactionId(tx);
  }

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

  /** One step: faults scheduled now, deliveries, L1 confirmations, ticks; then invariants. */
  async step(): Promise<void> {
    this.timeMs += STEP_MS;
    this.applySchedule();
    for (const m of this.net.due(this.now)) this.deliver(m.from, m.to, m.payload);
    const routed = this.meter.time('l1', () => this.server.route(this.ledger.tick(this.timeMs)));
    for (const { session, message } of routed) {
      const slot = this.slots.find((s) => s.session === session);
      if (slot) this.net.send(this.now, L1_ID, slot.id, { kind: 'fromL1', msg: message }, { ...this.net.faults, dropRate: 0, duplicateRate: 0 });
    }
    if (this.now % TICK_EVERY_MS === 0) {
      this.byzantineActs();
      for (const s of this.slots) s.node?.tick();
    }
    for (const s of this.slots) await s.node?.idle();
    this.markDone();
  }

  private deliver(from: string, to: string, p: { kind: 'peer'; bytes: Uint8Array } | { kind: 'toL1'; msg: WaspToNode } | { kind: 'fromL1'; msg: WaspFromNode }): void {
    if (p.kind === 'toL1') {
      const slot = this.slots.find((s) => s.id === from);
      if (!slot || !slot.node) return;
      if (p.msg.kind === 'waspToNodeTransaction' && this.injectAnchorRejection(slot, p.msg.tx)) return;
      for (const reply of this.meter.time('l1', () => this.server.handle(slot.session, p.msg, this.timeMs))) this.net.send(this.now, L1_ID, slot.id, { kind: 'fromL1', msg: reply }, { ...this.net.faults, dropRate: 0, duplicateRate: 0 });
      // Faucet requests are paid at once here (the hub batches them over faucetBatchWindowMs).
      for (const r of this.server.flushFaucet(this.timeMs)) {
        const to = this.slots.find((x) => x.session === r.session);
        if (to) this.net.send(this.now, L1_ID, to.id, { kind: 'fromL1', msg: r.message }, { ...this.net.faults, dropRate: 0, duplicateRate: 0 });
      }
      if (p.msg.kind === 'waspToNodeTransaction') this.record(`node${slot.index}`, L1_ID, 'anchorPosted', `Anchor transaction posted to L1.`);
      return;
    }
    const slot = this.slots.find((s) => s.id === to);
    if (!slot || !slot.node) return; // crashed: the message is lost
    if (p.kind === 'peer' && slot.byzantine === 'replay') this.keepForReplay(slot, p.bytes);
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

  /** True in the one step whose interval (now − STEP_MS, now] contains `atMs` (schedules need not be step multiples). */
  private reached(atMs: number): boolean {
    return this.now >= atMs && this.now - STEP_MS < atMs;
  }

  private applySchedule(): void {
    const p = this.cfg.partition;
    if (p && this.reached(p.fromMs)) {
      this.net.partition(p.groups.map((g) => g.map((i) => this.slots[i]?.id as string)));
      this.record('sim', '', 'fault', `Network partitioned into ${p.groups.map((g) => `{${g.join(',')}}`).join(' ')}.`);
    }
    if (p && this.reached(p.toMs)) {
      this.net.heal();
      this.record('sim', '', 'fault', 'Network healed.');
    }
    for (const c of this.cfg.crashes ?? []) {
      const slot = this.slots[c.index];
      if (!slot) continue;
      if (this.reached(c.atMs) && slot.node) {
        slot.unsub?.();
        slot.node = null;
        this.server.closeSession(slot.session);
        this.record(`node${c.index}`, '', 'fault', `Node ${c.index} crashed.`);
      }
      if (this.reached(c.restartAtMs) && !slot.node) {
        if (c.tamper) this.tampered.set(c.index, c.tamper);
        slot.session = this.server.openSession();
        const node = this.boot(slot);
        void node.start();
        this.record(`node${c.index}`, '', 'fault', `Node ${c.index} restarted from its store.`);
      }
    }
  }

  /** L1 fault: rejects the first anchor of each configured block index (nothing is booked). */
  private injectAnchorRejection(slot: SimNodeSlot, tx: ValueTransaction): boolean {
    const blocks = this.cfg.rejectAnchorBlocks;
    if (!blocks || !this.chainColor) return false;
    const sec = stateSectionOf(tx);
    if (!sec || !equalBytes(sec.chainColor, this.chainColor) || !blocks.includes(sec.blockIndex) || this.rejectedAnchorBlocks.has(sec.blockIndex)) return false;
    this.rejectedAnchorBlocks.add(sec.blockIndex);
    const txId = transactionId(tx);
    this.record(L1_ID, `node${slot.index}`, 'fault', `L1 rejects the anchor of block #${sec.blockIndex} (injected fault).`);
    this.net.send(this.now, L1_ID, slot.id, { kind: 'fromL1', msg: { kind: 'waspFromNodeTransactionInclusionState', txId, address: this.chainAddress as Address, state: 'rejected', reason: 'injected fault: anchor rejected by L1' } }, { ...this.net.faults, dropRate: 0, duplicateRate: 0 });
    return true;
  }

  /* ------------------------------------------------------------ invariants */

  private honest(): SimNodeSlot[] {
    return this.slots.filter((s) => s.byzantine === null);
  }

  private honestBlockIndex(): number {
    const chain = this.chainAddress;
    return (chain && this.honest()[0]?.node?.solidState(chain)?.blockIndex) || 0;
  }

  /** Changes whenever an honest node's solid state may have changed (a commit, a crash, a restart). */
  private honestStamp(): string {
    return this.chains.map((c) => this.honest().map((s) => s.node?.solidState(c.address)?.blockIndex ?? 'x').join('/')).join('|');
  }

  private allHonestProcessed(): boolean {
    // Checked after every step: only a changed state or a newly posted request can change the answer.
    const stamp = `${this.honestStamp()}|${this.posted.size}`;
    if (this.processedMemo?.stamp === stamp) return this.processedMemo.all;
    const all = this.allHonestProcessedNow();
    this.processedMemo = { stamp, all };
    return all;
  }

  private allHonestProcessedNow(): boolean {
    if (this.chains.length === 0) return false;
    for (const s of this.honest()) {
      for (const p of this.posted.values()) {
        const st = s.node?.solidState(p.chain);
        if (!st || !isRequestProcessed(st, p.id)) return false;
      }
    }
    return true;
  }

  private markDone(): void {
    if (this.chains.length === 0) return;
    const stamp = `${this.honestStamp()}|${this.posted.size}`;
    if (stamp === this.markDoneStamp) return;
    this.markDoneStamp = stamp;
    const honest = this.honest();
    for (const p of this.posted.values()) {
      if (p.doneMs !== null) continue;
      if (honest.every((s) => { const st = s.node?.solidState(p.chain); return st && isRequestProcessed(st, p.id); })) p.doneMs = this.now;
    }
  }

  /** All honest nodes at the L1 tip with equal state hashes. */
  private quiescent(): boolean {
    return this.chains.every((c) => {
      const hashes = new Set(this.honest().map((s) => { const st = s.node?.solidState(c.address); return st ? toHex(st.stateHash) : 'none'; }));
      return hashes.size === 1 && !hashes.has('none');
    });
  }

  /** Spec "On-chain accounts": total assets = sum of accounts = chain-token UTXO balance without the chain token. */
  private checkAccounts(): void {
    for (const c of this.chains) this.checkAccountsOf(c.address, c.color);
  }

  private checkAccountsOf(chain: Address, color: Uint8Array): void {
    const st = this.honest()[0]?.node?.solidState(chain);
    if (!st) return;
    const total = totalAssets(st);
    const sum = new Map<string, bigint>();
    for (const a of listAccounts(st, 100_000)) for (const [k, v] of accountBalances(st, a)) sum.set(k, (sum.get(k) ?? 0n) + v);
    const ck = colorKey(color);
    const utxo = this.ledger.getOutputs(chain).find((o) => o.balances.has(ck));
    const onL1 = new Map([...(utxo?.balances ?? new Map<string, bigint>())].filter(([k]) => k !== ck));
    const show = (b: ReadonlyMap<string, bigint>) => [...b].sort().map(([k, v]) => `${k.slice(0, 6)}:${v}`).join(',');
    if (show(total) !== show(sum) || show(total) !== show(onL1)) throw new InvariantViolation(`accounts invariant: total ${show(total)}, sum of accounts ${show(sum)}, chain UTXO ${show(onL1)}`);
  }

  private result(violation: string | null): SimResult {
    const chain = this.chainAddress;
    const st = chain ? this.honest()[0]?.node?.solidState(chain) : null;
    const evidence = chain ? this.slots.reduce((a, s) => a + (s.node?.snapshot(chain)?.evidence.length ?? 0), 0) : 0;
    return {
      ok: violation === null,
      violation,
      timeMs: this.now,
      blocks: st?.blockIndex ?? 0,
      chainBlocks: this.chains.map((c) => this.honest()[0]?.node?.solidState(c.address)?.blockIndex ?? 0),
      crossChainProcessed: this.crossChainProcessed,
      straysSwept: this.straysSwept,
      forgedSyncSent: this.forgedSyncSent,
      storesRefused: this.storesRefused,
      vaultRoundTrips: this.vaultRoundTrips,
      syncRefused: this.honest().reduce((a, h) => a + this.chains.reduce((x, c) => x + (h.node?.snapshot(c.address)?.syncRefusals.length ?? 0), 0), 0),
      hostileInitRefused: this.hostileInitRefused,
      timelockedProcessed: this.timelocked,
      requestsProcessed: [...this.posted.values()].filter((p) => p.doneMs !== null).length,
      finalStateHash: st ? toHex(st.stateHash) : '',
      evidence,
      messagesDropped: this.net.dropped,
      latenciesMs: [...this.posted.values()].flatMap((p) => (p.doneMs === null ? [] : [p.doneMs - p.atMs])),
      ...(this.deployFigures ? { deploy: this.deployFigures } : {}),
      anchorsRejected: this.rejectedAnchorBlocks.size,
      ...(this.workloadCost ? { cost: this.workloadCost } : {}),
      trace: this.trace,
      reproduce: this.reproduce,
    };
  }

  /** Evidence recorded by honest nodes (for tests). */
  evidenceKinds(): string[] {
    const chain = this.chainAddress;
    if (!chain) return [];
    return this.honest().flatMap((s) => s.node?.snapshot(chain)?.evidence.map((e) => `${e.kind}@${e.member}`) ?? []);
  }
}

export class LivenessFailure extends Error {
  override readonly name = 'LivenessFailure';
}

/** The peering channel of a frame (decoded: a malformed one is null, it carries nothing to keep or withhold). */
/** A stored state with its first value changed (the blocks stay as they were). */
function tamperEntries(r: StoredChainState): StoredChainState {
  const [first, ...rest] = r.entries;
  if (!first) return r;
  const v = first[1].slice();
  v[0] = (v[0] ?? 0) ^ 0xff;
  return { ...r, entries: [[first[0], v.length > 0 ? v : Uint8Array.of(1)], ...rest] };
}

/** Block #1 with one more mutation in its first update (the stored state stays as it was). */
function tamperBlock(b: Block): Block {
  const [u, ...rest] = b.updates;
  if (!u) return b;
  return { ...b, updates: [{ ...u, mutations: [...u.mutations, { kind: 'set', key: utf8('tampered'), value: Uint8Array.of(1) }] }, ...rest] };
}

function channelOf(bytes: Uint8Array): PeerFrame['channel'] | null {
  try {
    return decodePeerFrame(bytes).channel;
  } catch {
    return null;
  }
}

/** Byzantine signer: partial signatures of the wrong message. */
function corruptSigner<S extends { partialSign(m: Uint8Array): Uint8Array }>(s: S): S {
  return { ...s, partialSign: (m: Uint8Array) => s.partialSign(Uint8Array.of(...m, 0xff)) };
}

