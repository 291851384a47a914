/**
 * The classroom's plain data (RaftScope style): a scenario script in, an event log + messages + snapshots out.
 * No DOM, no wall clock: the page animates from these records and the same records come out of Node.
 */

import type { SendPathByzantineKind } from './sim';
import { BYZANTINE_KINDS, isByzantineKind, type ByzantineKind } from './byzantine-kinds';
export type { ByzantineKind, SendPathByzantineKind };
export { BYZANTINE_KINDS, isByzantineKind };

const SEND_PATH_KINDS: readonly SendPathByzantineKind[] = ['silent', 'equivocate', 'flood', 'replay'];

/** A committee member (index) or the L1 ledger. */
export type Actor = number | 'L1';

/** Timed faults: part of the scenario script, so replaying the script from the seed is exact. */
export type ScriptFault =
  /** Crash member `index` at `atMs`; restart from its store at `restartAtMs` (absent: stays down). */
  | { readonly kind: 'crash'; readonly index: number; readonly atMs: number; readonly restartAtMs?: number }
  /** Crash whoever leads the round for block `blockIndex`, `afterMs` after that round starts, for `downMs`. */
  | { readonly kind: 'crashLeader'; readonly blockIndex: number; readonly afterMs: number; readonly downMs: number }
  /** Whoever leads the round for block `blockIndex` turns Byzantine (`behaviour`) as that round starts, for good. */
  | { readonly kind: 'byzantineLeader'; readonly blockIndex: number; readonly behaviour: SendPathByzantineKind }
  /** Members in `isolate` can talk only among themselves (L1 stays reachable) from `fromMs` until `toMs`. */
  | { readonly kind: 'partition'; readonly isolate: readonly number[]; readonly fromMs: number; readonly toMs?: number }
  /** Every message between `a` and `b` (both ways) is lost. */
  | { readonly kind: 'cutLink'; readonly a: Actor; readonly b: Actor; readonly fromMs: number; readonly toMs?: number }
  /** Every message between `a` and `b` (both ways) takes `extraMs` longer. With b = 'L1' this delays anchors. */
  | { readonly kind: 'slowLink'; readonly a: Actor; readonly b: Actor; readonly extraMs: number; readonly fromMs: number; readonly toMs?: number };

/** Extra requests the classroom's own wallet posts (time-locked ones teach step 2 and 3b). */
export interface ScriptRequest {
  readonly atMs: number;
  /** The request is time-locked until (posting time + unlockAfterMs); 0 = not time-locked. */
  readonly unlockAfterMs: number;
}

export interface Scenario {
  readonly seed: number;
  readonly n: number;
  readonly t: number;
  /** Deposit requests the simulator's wallet posts once block #1 is committed. */
  readonly requests: number;
  readonly requestIntervalMs: number;
  /** Network delay range per message (virtual ms). */
  readonly delayMinMs: number;
  readonly delayMaxMs: number;
  readonly dropRate: number;
  /** Byzantine members (from the start: the simulator builds them so at boot). */
  readonly byzantine: readonly { readonly index: number; readonly kind: ByzantineKind }[];
  /** Clock skew per member (from the start, read at boot). */
  readonly skewMs: readonly number[];
  readonly faults: readonly ScriptFault[];
  readonly extraRequests: readonly ScriptRequest[];
  /** L1 rejects the first anchor posted for each of these block indices (the simulator's L1 fault). */
  readonly rejectAnchorBlocks: readonly number[];
  /** Deploy through real DKG over the simulated peering (default: trusted-dealer keys, faster to watch). */
  readonly dkg: boolean;
  /** 'deposit': accounts.deposit requests (native core contract); 'counter': the wasm counter contract is deployed and incremented. */
  readonly workload: 'deposit' | 'counter';
}

/** The 14 steps of spec "The consensus algorithm", short titles for the legend. */
export const SPEC_STEPS: readonly { readonly step: number; readonly title: string }[] = [
  { step: 1, title: 'State transition → permutation → leader' },
  { step: 2, title: 'Members tell the leader their ready requests' },
  { step: 3, title: 'Leader selects requests seen by a quorum' },
  { step: 4, title: 'Leader orders them into a batch' },
  { step: 5, title: 'Leader builds the computation context' },
  { step: 6, title: 'Context sent to all; leader runs the VM' },
  { step: 7, title: 'VM → anchor transaction + block candidate' },
  { step: 8, title: 'Each member partially signs the anchor' },
  { step: 9, title: 'Members send result hash + partial signature' },
  { step: 10, title: 'Leader ignores results with another hash' },
  { step: 11, title: 'Leader checks partial signatures' },
  { step: 12, title: 'Quorum of partials → BLS signature' },
  { step: 13, title: 'Leader posts the anchor to L1' },
  { step: 14, title: 'Anchor confirmed → commit block' },
];

/** One line of the classroom's event log. `i` is the position in the log (stable for a given scenario). */
export interface ClassEvent {
  readonly i: number;
  readonly timeMs: number;
  /** Member index, 'L1', or a non-committee actor ('wallet', 'sim', 'classroom'). */
  readonly actor: Actor | 'wallet' | 'sim' | 'classroom';
  readonly kind: string;
  readonly text: string;
  /** Step of the spec's 14-step consensus this event belongs to (null: setup, L1 chatter, faults). */
  readonly step: number | null;
  /** The message this event is the delivery of, if any. */
  readonly seq?: number;
  /** L1 bookkeeping chatter (subscriptions, inclusion polls): hidden unless asked for. */
  readonly minor?: boolean;
}

export type MessageFate = 'delivered' | 'dropped' | 'lost';

/** One message on the simulated network, with its send and delivery times (so the page can draw it in flight). */
export interface ClassMessage {
  readonly seq: number;
  readonly from: Actor;
  readonly to: Actor;
  readonly sentAtMs: number;
  readonly deliverAtMs: number;
  /** Kind as on the wire (requestNotification, computationContext, …, waspToNodeTransaction, …). */
  readonly kind: string;
  /** Short label drawn on the arrow. */
  readonly label: string;
  fate: MessageFate;
  readonly minor: boolean;
  /** Decoded contents, field → value, for the side panel. */
  readonly detail: readonly (readonly [string, string])[];
}

export interface MemberView {
  readonly index: number;
  /** First hex digits of the node ID. */
  readonly id: string;
  readonly up: boolean;
  readonly byzantine: ByzantineKind | null;
  readonly skewMs: number;
  readonly stage: string;
  readonly leader: number | null;
  readonly leaderPos: number;
  /** Leader order for this member's current state (spec step 1); [] before the chain is up. */
  readonly permutation: readonly number[];
  readonly blockIndex: number;
  readonly stateHash: string;
  readonly backlog: readonly string[];
  readonly synced: boolean;
  readonly evidence: readonly string[];
}

export interface AnchorView {
  readonly txId: string;
  readonly blockIndex: number;
  readonly state: string;
}

export interface L1View {
  /** The chain's UTXO: the output holding the chain token (its balances, color → amount). */
  readonly chainUtxo: { readonly txId: string; readonly balances: readonly (readonly [string, string])[] } | null;
  /** Request-token UTXOs at the chain address: the backlog as L1 sees it. */
  readonly requestUtxos: number;
  readonly anchors: readonly AnchorView[];
}

export interface BlockView {
  readonly blockIndex: number;
  readonly requests: number;
  readonly anchorTxId: string;
}

/** The model's state at `timeMs` (taken after every virtual step that changed something). */
export interface Snapshot {
  readonly timeMs: number;
  readonly members: readonly MemberView[];
  readonly l1: L1View;
  readonly blocks: readonly BlockView[];
}

/** What the engine hands out after an advance: everything new since the previous slice. */
export interface Slice {
  readonly timeMs: number;
  readonly events: readonly ClassEvent[];
  readonly messages: readonly ClassMessage[];
  /** Messages whose fate changed after they were sent (the receiver had crashed). */
  readonly fates: readonly (readonly [number, MessageFate])[];
  readonly snapshots: readonly Snapshot[];
  readonly finished: boolean;
  /** Set once finished: the run's outcome as the simulator reports it. */
  readonly result: ClassResult | null;
}

export interface ClassResult {
  readonly ok: boolean;
  readonly violation: string | null;
  readonly blockIndex: number;
  readonly finalStateHash: string;
  readonly requestsProcessed: number;
  readonly reproduce: string;
}

/** The defaults the page starts from: N=4, T=3, a little network delay so messages are visible in flight. */
export function defaultScenario(seed = 42, n = 4): Scenario {
  return {
    seed,
    n,
    t: Math.floor((2 * n) / 3) + 1,
    requests: 6,
    requestIntervalMs: 60,
    delayMinMs: 10,
    delayMaxMs: 40,
    dropRate: 0,
    byzantine: [],
    skewMs: [],
    faults: [],
    extraRequests: [],
    rejectAnchorBlocks: [],
    dkg: false,
    workload: 'deposit',
  };
}

/** Mirrors engine.ts: virtual time advances this much per simulator step (checked against its trace at run time). */
export const STEP_MS = 10;

/** Scripted times land on step boundaries (the simulator compares times with ===). */
export function roundStep(ms: number): number {
  return Math.max(STEP_MS, Math.ceil(ms / STEP_MS) * STEP_MS);
}

/** Scenario bounds (the page and the URL parser clamp to them). */
export const SCENARIO_LIMITS = { nMin: 3, nMax: 10, requestsMax: 100, faultsMax: 64, extraRequestsMax: 64 } as const;

export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
}

/** Checks a scenario (from a URL, a trace file or the page) before the engine runs it. */
export function validateScenario(s: Scenario): Scenario {
  const int = (v: unknown, what: string, min: number, max: number): void => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new ScenarioError(`${what} must be an integer in [${min}, ${max}], got ${String(v)}`);
  };
  int(s.seed, 'seed', 0, 2 ** 32 - 1);
  int(s.n, 'n', SCENARIO_LIMITS.nMin, SCENARIO_LIMITS.nMax);
  int(s.t, 't', Math.floor(s.n / 2) + 1, s.n);
  int(s.requests, 'requests', 0, SCENARIO_LIMITS.requestsMax);
  int(s.requestIntervalMs, 'requestIntervalMs', 1, 10_000);
  int(s.delayMinMs, 'delayMinMs', 0, 5_000);
  int(s.delayMaxMs, 'delayMaxMs', s.delayMinMs, 5_000);
  if (!(s.dropRate >= 0 && s.dropRate < 1)) throw new ScenarioError(`dropRate must be in [0, 1), got ${s.dropRate}`);
  if (s.faults.length > SCENARIO_LIMITS.faultsMax) throw new ScenarioError(`at most ${SCENARIO_LIMITS.faultsMax} faults`);
  if (s.extraRequests.length > SCENARIO_LIMITS.extraRequestsMax) throw new ScenarioError(`at most ${SCENARIO_LIMITS.extraRequestsMax} extra requests`);
  for (const b of s.byzantine) {
    int(b.index, 'byzantine member', 0, s.n - 1);
    if (!isByzantineKind(b.kind)) throw new ScenarioError(`unknown Byzantine behaviour '${String(b.kind)}' (one of ${BYZANTINE_KINDS.join(', ')})`);
  }
  for (const f of s.faults) {
    if (f.kind === 'crash') int(f.index, 'crashed member', 0, s.n - 1);
    if (f.kind === 'partition') for (const i of f.isolate) int(i, 'isolated member', 0, s.n - 1);
    if (f.kind === 'byzantineLeader' && !SEND_PATH_KINDS.includes(f.behaviour)) throw new ScenarioError(`a leader can turn only ${SEND_PATH_KINDS.join(' / ')}, not ${String(f.behaviour)}`);
  }
  return s;
}
