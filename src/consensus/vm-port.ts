import type { Address, AgentID, Balances, ChainID, Color, RequestID, RequestSection } from '../protocol';
import type { StateUpdate } from '../state/types';
import type { VirtualState } from '../state/vstate';

/**
 * What the consensus operator asks of the VM (spec step 6b/7). The operator never calls the VM: it emits a
 * `runVM` action with this task, the runtime calls the VM (src/vm runBatch) and feeds back a `vmResult` event.
 * That keeps the VM out of the pure core and lets the simulator run it synchronously.
 */
export interface VmTaskRequest {
  readonly id: RequestID;
  readonly section: RequestSection;
  readonly sender: AgentID;
  /** Tokens in its transaction's UTXO that no request claims (src/protocol/anchor.ts requestUtxoSurplus). */
  readonly utxoSurplus?: Balances;
}
export interface VmTask {
  readonly chainId: ChainID;
  readonly chainColor: Color;
  /** The solid state the batch runs on (read only: the VM buffers its writes). */
  readonly state: VirtualState;
  readonly requests: readonly VmTaskRequest[];
  /** Timestamp of the first state update (Unix ns); update i gets timestamp + i. */
  readonly timestamp: bigint;
  /** 32 bytes of consensus randomness (from the previous anchor's BLS signature). */
  readonly entropy: Uint8Array;
  /** Balance of the chain-token UTXO (chain token excluded) before the batch's transfers are credited. */
  readonly chainBalances: Balances;
  /** At block #0: the address that signed the origin transaction (the only one whose root init is accepted). */
  readonly chainOriginator?: Address;
  /** Hex ID of the chain UTXO's transaction (its requests are never deferred). */
  readonly chainUtxoTxKey?: string;
}
export interface VmWithdrawal {
  readonly address: Address;
  readonly balances: Balances;
}
export interface VmOutcome {
  /** One state update per request, in batch order. */
  readonly updates: readonly StateUpdate[];
  readonly withdrawals: readonly VmWithdrawal[];
  readonly outgoingRequests: readonly RequestSection[];
  /** Whole request transactions the VM left for a later block (the batch's room for L1 outputs was used up). */
  readonly deferred?: readonly RequestID[];
  /** Requests the VM refused to process (time-locked, duplicate…): the round's result is unusable. */
  readonly skipped?: readonly { readonly requestId: RequestID; readonly reason: string }[];
}
