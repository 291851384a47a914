import type { HubInfo } from '../net/types';
import type { ProtocolEvent } from '../node/types';
import type { WorkerByzantineKind } from './byzantine';

/**
 * The page ↔ worker protocol: a discriminated union in each direction, nothing else crosses. The page is a
 * pipe (libp2p, nodeconn, DOM); every protocol decision is taken in the worker's node. Bytes travel as
 * Uint8Array (structured clone copies them; frames are small and the copy costs less than the hop itself).
 */

/** Requests the page can make of the worker, with their parameter and result types. */
export interface WorkerApi {
  /** The node key signs the binding of this page load's libp2p peer ID (see src/net/binding.ts). */
  signBinding: { params: { peerId: string }; result: { nodeId: string; peerId: string; signature: string } };
  /** Anything the dashboard asks the node to do (NodeCommand below; served by runtime.ts). */
  command: { params: NodeCommand; result: CommandResult };
  /** Test automation: switch the node to a Byzantine behaviour it can run for real, or back (null). */
  byzantine: { params: { kind: WorkerByzantineKind | null }; result: { kind: WorkerByzantineKind | null } };
}

export type WorkerMethod = keyof WorkerApi;

export type ToWorker =
  | { readonly t: 'init'; readonly nodeName: string; readonly hub: HubInfo }
  | { readonly t: 'call'; readonly id: number; readonly method: WorkerMethod; readonly params: WorkerApi[WorkerMethod]['params'] }
  | { readonly t: 'peerMessage'; readonly fromNodeId: string; readonly data: Uint8Array }
  | { readonly t: 'peerStatus'; readonly nodeId: string; readonly name: string; readonly up: boolean }
  /** A waspFromNode* frame from the hub, undecoded (the worker decodes and validates it). */
  | { readonly t: 'l1'; readonly frame: Uint8Array }
  /** The hub link (re)opened: a new nodeconn session, so the node subscribes again (the protocol is session-less). */
  | { readonly t: 'l1Up' };

export type FromWorker =
  | { readonly t: 'ready'; readonly nodeId: string; readonly nodeName: string; readonly restoredChains: number }
  | { readonly t: 'reply'; readonly id: number; readonly ok: true; readonly value: WorkerApi[WorkerMethod]['result'] }
  | { readonly t: 'reply'; readonly id: number; readonly ok: false; readonly error: string }
  | { readonly t: 'sendPeer'; readonly toNodeId: string; readonly data: Uint8Array }
  /** A waspToNode* frame for the hub, already encoded. */
  | { readonly t: 'sendL1'; readonly frame: Uint8Array }
  | { readonly t: 'snapshot'; readonly snapshot: NodeSnapshotView }
  | { readonly t: 'events'; readonly events: readonly ProtocolEvent[] }
  | { readonly t: 'fatal'; readonly message: string };

/* ------------------------------------------------------------------ dashboard commands and views */

/** Plain-data commands from the dashboard; params are strings/numbers as typed by a user. */
export type NodeCommand =
  | { readonly kind: 'createChain'; readonly memberNodeIds: readonly string[]; readonly t: number; readonly description: string }
  | { readonly kind: 'faucet' }
  | { readonly kind: 'deposit'; readonly chain: string; readonly amount: number }
  | { readonly kind: 'postRequest'; readonly chain: string; readonly contract: string; readonly entryPoint: string; readonly params: Readonly<Record<string, string>>; readonly transfer: number }
  | { readonly kind: 'callView'; readonly chain: string; readonly contract: string; readonly view: string; readonly params: Readonly<Record<string, string>> }
  | { readonly kind: 'deployWasm'; readonly chain: string; readonly name: string; readonly description: string; readonly program: Uint8Array }
  /** For tests and the bench: post `count` requests as fast as the node accepts them. */
  | { readonly kind: 'postMany'; readonly chain: string; readonly contract: string; readonly entryPoint: string; readonly params: Readonly<Record<string, string>>; readonly count: number }
  /** For tests: this node's committed blocks of a chain, read back from its own store. */
  | { readonly kind: 'audit'; readonly chain: string }
  /** For tests and the bench: resolves when this node's solid state holds a receipt for every request. */
  | { readonly kind: 'waitProcessed'; readonly chain: string; readonly requestIds: readonly string[] };

export type CommandResult =
  | { readonly kind: 'ok'; readonly text: string }
  | { readonly kind: 'chainCreated'; readonly chain: string }
  | { readonly kind: 'requests'; readonly requestIds: readonly string[] }
  | { readonly kind: 'view'; readonly result: Readonly<Record<string, string>> }
  | { readonly kind: 'processed'; readonly atMs: number }
  | { readonly kind: 'audit'; readonly blockIndex: number; readonly stateHash: string; readonly requests: number; readonly duplicates: number };

/**
 * What the dashboard renders: a plain-data copy of the node's own snapshot (kept loose here on purpose: the
 * dashboard renders fields it knows and ignores the rest, so the node can grow without a bridge change).
 */
export interface NodeSnapshotView {
  readonly nodeId: string;
  readonly nodeName: string;
  readonly wallet: WalletView | undefined;
  readonly chains: readonly ChainView[];
  readonly dkg: readonly DkgView[];
}

export interface WalletView {
  readonly address: string;
  readonly balance: string;
}

/** One chain setup (src/node/setup.ts DeploymentView, reduced to what the dashboard shows). */
export interface DkgView {
  readonly id: string;
  /** Plain words, with DKG counts while the key generation runs. */
  readonly stage: string;
  readonly progress: number;
  readonly error: string | undefined;
  /** The node's DeploymentPhase, for tests (data-phase). */
  readonly phase: string;
  readonly role: 'initiator' | 'member';
  readonly qual: readonly number[] | undefined;
  readonly complaints: number;
}

export interface ChainView {
  readonly chain: string;
  readonly description: string;
  readonly committee: readonly { readonly nodeId: string; readonly up: boolean }[];
  readonly t: number;
  readonly myIndex: number | null;
  readonly leader: number | undefined;
  readonly stage: string;
  readonly quorumUp: boolean;
  readonly blockIndex: number;
  readonly stateHash: string;
  readonly backlog: readonly { readonly requestId: string; readonly txId: string; readonly entryPoint: string }[];
  readonly blocks: readonly { readonly index: number; readonly timeMs: number; readonly requests: number; readonly stateHash: string }[];
  readonly anchors: readonly { readonly txId: string; readonly blockIndex: number; readonly state: 'pending' | 'booked' | 'confirmed' | 'rejected' }[];
  readonly contracts: readonly { readonly name: string; readonly hname: string; readonly description: string }[];
  readonly errors: readonly { readonly requestId: string; readonly message: string }[];
  /** Misbehaviour this node's consensus recorded (consensus/evidence.ts): committee index and kind. */
  readonly evidence: readonly { readonly member: number; readonly kind: string }[];
  readonly balance: string;
}

/* ------------------------------------------------------------------ helpers */

/** Type guard used by both ends: the `t` tag is the only thing checked before a switch. */
export function isBridgeMessage(x: unknown): x is { t: string } {
  return typeof x === 'object' && x !== null && typeof (x as { t?: unknown }).t === 'string';
}
