import type { Address, Color, RequestID, Rng, TransactionID } from '../protocol';
import type { DkgMember, DkgState, KeyShare } from '../crypto';
import type { SetupMsg } from '../chain/setup-wire';
import type { BootupRecord, RegistryKeyShare } from '../state/store';
import type { WalletSpender } from './l1-wallet';
import type { ProtocolEventKind } from './types';

/* Chain setup: its bounds, public types (re-exported by setup.ts) and the session record the setup files share. */

/** Bounds and timing of chain setup sessions on one node. */
export const SETUP_LIMITS = {
  /** DKG sessions this node takes part in at once (each holds N² shares and its outbox). */
  sessionsMax: 8,
  /** Frames kept for a session whose invite has not arrived yet (a fast member's deal can overtake it). */
  earlyFramesPerSessionMax: 64,
  earlySessionsMax: 8,
  /** Phase timeout accepted in an invite (the initiator picks it; members refuse absurd values). */
  phaseTimeoutMsMin: 200,
  phaseTimeoutMsMax: 120_000,
  phaseTimeoutMsDefault: 3_000,
  /** Whole deployment (DKG, origin, activation, init) must finish within this, or it fails. */
  deployTimeoutMsDefault: 120_000,
  /** Finished sessions are forgotten this long after they ended (views stay visible meanwhile). */
  retainMs: 600_000,
  /**
   * Setup messages are re-sent (peering is fire-and-forget) every phaseTimeout / resendsPerPhase, so a lost one
   * is re-sent several times within its phase, but never more often than resendMsMin.
   */
  resendsPerPhase: 4,
  resendMsMin: 300,
} as const;

export type DeploymentPhase = DkgState | 'postingOrigin' | 'activating' | 'initializing' | 'activated' | 'deployed';

/** What the dashboard shows of one chain setup (plain data). */
export interface DeploymentView {
  readonly sessionId: string;
  readonly initiator: string;
  readonly isInitiator: boolean;
  readonly members: readonly string[];
  readonly t: number;
  /** This node's committee index, or null when it only initiates. */
  readonly myIndex: number | null;
  readonly phase: DeploymentPhase;
  /** Committee indices whose deal / response / justification / confirmation this node accepted. */
  readonly dealt: readonly number[];
  readonly responded: readonly number[];
  readonly justified: readonly number[];
  readonly confirmed: readonly number[];
  /** Complaints seen in responses: member `by` complained about dealer `against`. */
  readonly complaints: readonly { readonly by: number; readonly against: number; readonly missing: boolean }[];
  readonly qual: readonly number[] | null;
  readonly excluded: readonly { readonly member: number; readonly why: string }[];
  /** Initiator: members that reported a finished DKG / an activated chain. */
  readonly reported: readonly number[];
  readonly activated: readonly number[];
  readonly chainAddress: string | null;
  readonly error: string | null;
}

export interface DeployChainOptions {
  /** Node IDs (hex ed25519 public keys) in committee-index order. */
  readonly committeeNodeIds: readonly string[];
  /** Quorum; default ⌊2N/3⌋+1; must satisfy N/2 < T ≤ N. */
  readonly t?: number;
  readonly description?: string;
  /** The owner's wallet: a key pair (the node spends through its own L1 connection) or a spender. */
  readonly initiatorWallet: WalletSpender;
  readonly phaseTimeoutMs?: number;
  readonly deployTimeoutMs?: number;
  readonly onProgress?: (view: DeploymentView) => void;
}

export interface DeployChainResult {
  readonly chainAddress: Address;
  readonly chainColor: Color;
  readonly sessionId: string;
  readonly qual: readonly number[];
  readonly originTxId: TransactionID;
  /** The root `init` request; block #1 is committed once it is processed. */
  readonly initRequestId: RequestID;
  readonly record: BootupRecord;
}

export interface SetupPorts {
  readonly myNodeId: string;
  /** The node identity's ed25519 secret key (DKG envelopes are signed with it). Secret. */
  readonly secretKey: Uint8Array;
  readonly rng: Rng;
  nowMs(): number;
  send(toNodeId: string, sessionId: Uint8Array, m: SetupMsg): void;
  storeKeyShare(chainAddress: Address, share: RegistryKeyShare): Promise<void>;
  /** Stores the bootup record and starts the committee object. */
  activate(record: BootupRecord, share: RegistryKeyShare): Promise<void>;
  event(kind: ProtocolEventKind, text: string, peer?: string): void;
  /** Policy: take part in a DKG this peer invites us to? (default: yes) */
  acceptInvite(from: string, members: readonly string[], t: number, description: string): boolean;
}

/** The initiator's side of a session (null on a member that was invited). */
export interface Initiation {
  readonly opts: DeployChainOptions;
  readonly resolve: (r: DeployChainResult) => void;
  readonly reject: (e: Error) => void;
  /** Reports by member index: master public key hex and QUAL. */
  readonly reports: Map<number, { mpk: string; qual: readonly number[] }>;
  readonly failures: Map<number, string>;
  readonly activatedBy: Set<number>;
  stage: 'dkg' | 'postingOrigin' | 'activating' | 'initializing' | 'done' | 'failed';
  chainAddress?: Address;
  chainColor?: Color;
  qual?: readonly number[];
}

/** One chain setup on this node: its DKG member (if a member), outbox, progress and, on the initiator, the workflow. */
export interface Session {
  readonly id: Uint8Array;
  readonly key: string;
  readonly initiator: string;
  readonly members: readonly string[];
  readonly t: number;
  readonly description: string;
  readonly phaseTimeoutMs: number;
  readonly startedMs: number;
  readonly deadlineMs: number;
  readonly invite: SetupMsg;
  readonly myIndex: number | null;
  readonly member: DkgMember | null;
  /** Every DKG message this member sent (re-sent until the session settles: peering may drop messages). */
  readonly outbox: { to: string; bytes: Uint8Array }[];
  lastResendMs: number;
  doneAtMs: number | null;
  keyShare: KeyShare | null;
  record: BootupRecord | null;
  activated: boolean;
  error: string | null;
  endedMs: number | null;
  readonly initiation: Initiation | null;
}
