import type { Address, Color, RequestID } from '../../protocol';
import type { VirtualState } from '../../state/vstate';
import type { Backlog } from '../backlog';
import type { OperatorBase } from '../round';

/**
 * What a step may read of this node: its solid state, look-ups in its backlog and the chain's constants. Steps
 * only read it (the operator builds it on every state transition), so a step's answer is a function of its inputs.
 */
export interface StepView {
  readonly base: OperatorBase;
  readonly chainAddress: Address;
  readonly chainColor: Color;
  readonly backlog: Pick<Backlog, 'get' | 'stray' | 'strays'>;
  /** The VM's processed-request record in the state: the exactly-once backstop. */
  readonly isRequestProcessed: (state: VirtualState, id: RequestID) => boolean;
  /** Most requests in one batch (CONSENSUS_PARAMS.batchRequestsMax unless configured). */
  readonly batchMax: number;
  /** How far a context's timestamp may be from this node's clock (CONSENSUS_PARAMS.timestampToleranceMs unless configured). */
  readonly toleranceMs: number;
}
