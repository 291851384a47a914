import type { Address, TransactionID } from '../protocol/ids';
import type { ValueTransaction } from '../protocol/transaction';
import type { AddressOutput } from '../protocol/outputs';

/**
 * Node-connection protocol messages (spec: "Communications between Wasp node and Goshimmer node").
 * Asynchronous and session-less: nobody waits for a reply; a client that misses an answer asks again (pull).
 * Names follow the spec: waspToNode* go from a committee node (or wallet) to the hub's L1 ledger,
 * waspFromNode* come back.
 */

/** An unspent output as the node reports it for one address: the address is not repeated (spec). */
/** An output in an address (src/protocol/outputs.ts). */
export type { AddressOutput };

export type InclusionState = 'booked' | 'confirmed' | 'rejected';
export const INCLUSION_STATES: readonly InclusionState[] = ['booked', 'confirmed', 'rejected'];

/* ------------------------------------------------------------------ wasp → node */

export interface WaspToNodeTransaction {
  readonly kind: 'waspToNodeTransaction';
  readonly tx: ValueTransaction;
}
export interface WaspToNodeSubscribe {
  readonly kind: 'waspToNodeSubscribe';
  readonly address: Address;
}
export interface WaspToNodeGetConfirmedTransaction {
  readonly kind: 'waspToNodeGetConfirmedTransaction';
  readonly txId: TransactionID;
}
export interface WaspToNodeGetTxInclusionLevel {
  readonly kind: 'waspToNodeGetTxInclusionLevel';
  readonly txId: TransactionID;
  readonly address: Address;
}
export interface WaspToNodeGetOutputs {
  readonly kind: 'waspToNodeGetOutputs';
  readonly address: Address;
}
export interface WaspToNodeSetId {
  readonly kind: 'waspToNodeSetId';
  readonly id: string;
}
/**
 * Extension (not in the spec, which has a real faucet elsewhere): ask the hub's faucet to fund an address.
 * The hub answers like for any transaction: with a waspFromNodeAddressUpdate when the address is subscribed,
 * and the caller can pull with waspToNodeGetOutputs.
 */
export interface WaspToNodeRequestFunds {
  readonly kind: 'waspToNodeRequestFunds';
  readonly address: Address;
}

export type WaspToNode =
  | WaspToNodeTransaction
  | WaspToNodeSubscribe
  | WaspToNodeGetConfirmedTransaction
  | WaspToNodeGetTxInclusionLevel
  | WaspToNodeGetOutputs
  | WaspToNodeSetId
  | WaspToNodeRequestFunds;

/* ------------------------------------------------------------------ node → wasp */

export interface WaspFromNodeConfirmedTransaction {
  readonly kind: 'waspFromNodeConfirmedTransaction';
  readonly tx: ValueTransaction;
}
/** Pushed when a tx with an output to a subscribed address is confirmed (and for the backlog on subscribe). */
export interface WaspFromNodeAddressUpdate {
  readonly kind: 'waspFromNodeAddressUpdate';
  readonly address: Address;
  /** All confirmed unspent outputs of the address after `tx`. */
  readonly outputs: readonly AddressOutput[];
  readonly tx: ValueTransaction;
}
export interface WaspFromNodeAddressOutputs {
  readonly kind: 'waspFromNodeAddressOutputs';
  readonly address: Address;
  readonly outputs: readonly AddressOutput[];
}
export interface WaspFromNodeTransactionInclusionState {
  readonly kind: 'waspFromNodeTransactionInclusionState';
  readonly txId: TransactionID;
  readonly address: Address;
  readonly state: InclusionState;
  /** Extension: why a transaction was rejected ('' otherwise), so a wallet can tell the user. */
  readonly reason: string;
}

export type WaspFromNode =
  | WaspFromNodeConfirmedTransaction
  | WaspFromNodeAddressUpdate
  | WaspFromNodeAddressOutputs
  | WaspFromNodeTransactionInclusionState;

export type NodeConnMessage = WaspToNode | WaspFromNode;
