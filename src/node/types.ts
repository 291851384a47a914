import type { Rng } from '../protocol/rng';
import type { ProtocolEvent, ProtocolEventKind } from '../protocol/events';
import type { WaspFromNode, WaspToNode } from '../nodeconn/messages';
import type { Registry, SolidStateStore } from '../state/store';

/**
 * Ports of the node runtime: everything `createNode` needs from its host (browser worker, Node tests,
 * simulator). The node never touches timers, sockets, storage or randomness except through these.
 */

/** Time as the host sees it (virtual in the simulator). Milliseconds since the Unix epoch. */
export interface Clock {
  nowMs(): number;
}

/**
 * Committee peering. `send` is fire-and-forget (may be lost, delayed, duplicated: the protocol retries).
 * Incoming bytes are delivered by the host with `node.onPeerMessage(fromNodeId, bytes)`.
 *
 * AUTHENTICATION CONTRACT: the host guarantees `fromNodeId` is the authenticated identity of the sender
 * (libp2p noise handshake bound to the node's ed25519 key, or the simulator's network). Consensus messages
 * carry no per-message signature; see docs/decisions/consensus-message-auth.md.
 */
export interface PeeringPort {
  send(toNodeId: string, bytes: Uint8Array): void;
}

/**
 * Connection to the L1 node (spec "Communications between Wasp node and Goshimmer node"). Fire-and-forget;
 * answers arrive through `node.onL1Message(msg)`.
 */
export interface L1Port {
  send(msg: WaspToNode): void;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export interface LogPort {
  log(level: LogLevel, message: string, fields?: Readonly<Record<string, string | number | boolean>>): void;
}

/** Everything the node is composed from (libp2p style: each need spelled out as a small interface). */
export interface NodeComponents {
  /** hex(ed25519 public key); other nodes know us by it. */
  readonly nodeId: string;
  /** ed25519 secret key of the node identity (32 bytes). Secret: never logged. */
  readonly nodeKey: Uint8Array;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly peering: PeeringPort;
  readonly l1: L1Port;
  readonly store: SolidStateStore;
  readonly registry: Registry;
  readonly log?: LogPort;
}

/** Kinds of protocol events: src/protocol/events.ts (below every layer that reports them). */
export type { ProtocolEventKind };

/** One protocol event: src/protocol/events.ts. */
export type { ProtocolEvent };

/** Re-exported so hosts import ports from one place. */
export type { WaspFromNode, WaspToNode, Registry, SolidStateStore, Rng };
