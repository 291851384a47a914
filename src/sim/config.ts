import type { ConsensusTimeouts } from '../consensus/params';
import type { ByzantineKind } from './byzantine-kinds';
import type { NetworkFaults } from './network';
import type { SimCost } from './cost';

/**
 * What a simulation is asked to do (SimConfig) and what it reports (SimResult): plain data, shared by the
 * engine, its faults, invariants and workloads, and by every caller (CLI, seeds, classroom, tests).
 */

/** forgedSync's forgeries: other mutations under the real anchor / under its own L1 transaction / a made-up anchor ID. */
export type ForgedSyncKind = 'mutations' | 'ownAnchor' | 'madeUpAnchor';

/** Behaviours that act only on what a member sends, so a running honest member can turn to them (classroom triggers). */
export type SendPathByzantineKind = 'silent' | 'equivocate' | 'flood' | 'replay';

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
