import type { WaspFromNode, WaspToNode } from '../nodeconn/messages';
import type { InFlight, NetworkFaults } from './network';

/** What the simulated network carries: peering frames between nodes, node-connection messages to and from L1. */
export type SimPayload = { readonly kind: 'peer'; readonly bytes: Uint8Array } | { readonly kind: 'toL1'; readonly msg: WaspToNode } | { readonly kind: 'fromL1'; readonly msg: WaspFromNode };

/** A message the network lost when it was sent: a cut link, a partition or a random drop. */
export interface DroppedMessage {
  readonly nowMs: number;
  readonly from: string;
  readonly to: string;
  readonly payload: SimPayload;
  /** The faults it was sent under (before any extra link delay). */
  readonly faults: NetworkFaults;
}

/**
 * The engine's public hooks: a host (the classroom) watches and steers a run through these, by composition,
 * instead of subclassing the simulation and reaching into its fields. Each hook runs at a fixed point inside a
 * step, so what an observer records is in causal order. Hooks must not draw from the simulation's random source
 * or touch the nodes: a run with an observer that only watches is the same run as one without.
 */
export interface SimObserver {
  /**
   * Wraps every step. `step` is the step's body and must be awaited exactly once; what comes before it happens
   * before the virtual clock moves (the classroom parks here until a step is granted).
   */
  aroundStep?(step: () => Promise<void>): Promise<void>;
  /** A due message, right before its receiver gets it (the receiver may be down: then it is lost). */
  beforeDeliver?(m: InFlight<SimPayload>): void;
  /** All of this step's due messages were handed over (also called when none were due). */
  afterDeliveries?(): void;
  /** Extra conditions on a link at send time: 'cut' loses the message, a number of ms is added to its delay. */
  linkRule?(nowMs: number, from: string, to: string): 'cut' | number;
  /** A message was lost at send. */
  onDropped?(m: DroppedMessage): void;
}
