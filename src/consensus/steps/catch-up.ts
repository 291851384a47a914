import { requestIDKey } from '../../protocol';
import type { ConsensusMsg } from '../messages';
import { CONSENSUS_PARAMS } from '../params';
import { leaderAt } from '../permutation';
import type { Round } from '../round';
import { UNKNOWN_REQUESTS, validateContext } from './validate-context';
import type { StepView } from './view';

/** This node's standing for catch-up on the current state. */
export interface CatchUpSeat {
  readonly me: number;
  readonly n: number;
  /** Step 1's leader permutation of the state. */
  readonly permutation: readonly number[];
  /** Members whose earlier catch-up led this node into a round it left without a block on this state. */
  readonly struck: ReadonlySet<number>;
  /** catchUpHoldShare × leaderProposalMs: how long this node stays in a round before a message may move it. */
  readonly holdMs: number;
}

export type CatchUpVerdict =
  | { readonly follow: true; readonly byContext: boolean }
  /** `invalidContext`: the later position's leader sent a context that breaks the rules (evidence, not followed). */
  | { readonly follow: false; readonly invalidContext?: string };

/**
 * May `msg` (same state, a later leader position than round `r`) move this node there? A context from that
 * position's leader, or a notification to this node as that position's leader, moves it only if all hold
 * (docs/decisions/consensus-rounds.md argues why the honest members still reach an honest leader with up to f
 * Byzantine members):
 * - how far: less than CONSENSUS_PARAMS.catchUpRotationsMax rotations (× N positions) ahead;
 * - not out of a decided round: a node that accepted a context stays until its own timeout or a new state,
 *   so no message can pull it out of an honest leader's round in progress;
 * - how often: only after the hold in the current round, which restarts on every move, so an honest leader
 *   whose round the honest members entered together delivers first;
 * - not on the word of a member whose earlier catch-up led into a round this node left without a block (by a
 *   timeout or a further catch-up) on this state: so each member moves it at most once per state that way;
 * - validated first: a context must pass validateContext as it stands; an invalid one (empty, unordered, bad
 *   timestamp, processed…) never moves the round. UNKNOWN_REQUESTS cannot be judged yet, so it does not move
 *   the node either and nothing is kept for a round it is not in: an honest leader re-sends its context every
 *   resendMs, and the copy after the request transactions arrived moves it. A notification moves its leader
 *   only if it names a request ready here (else there is nothing to lead).
 * The cheap checks come first: a flood of later-position messages costs a comparison each.
 */
export function judgeCatchUp(r: Round, from: number, msg: ConsensusMsg, seat: CatchUpSeat, view: StepView, nowMs: number): CatchUpVerdict {
  const pos = msg.round.leaderPos;
  if (pos >= r.id.leaderPos + seat.n * CONSENSUS_PARAMS.catchUpRotationsMax) return { follow: false };
  const leaderThere = leaderAt(seat.permutation, pos);
  const byContext = msg.kind === 'computationContext' && from === leaderThere;
  if (!byContext && !(msg.kind === 'requestNotification' && leaderThere === seat.me)) return { follow: false };
  if (r.stage !== 'collecting') return { follow: false };
  if (nowMs - r.startedMs < seat.holdMs) return { follow: false };
  // The member that brought this node here may not move it on either: leaving would strike it anyway.
  if (seat.struck.has(from) || from === r.movedBy) return { follow: false };
  if (msg.kind === 'computationContext') {
    const problem = validateContext(msg, view, nowMs);
    if (problem === UNKNOWN_REQUESTS) return { follow: false };
    if (problem) return { follow: false, invalidContext: problem };
  } else if (msg.kind === 'requestNotification') {
    // At most notificationRequestsMax look-ups (the codec bounds the list), not a pass over the backlog.
    const state = view.base.state;
    if (!msg.requestIds.some((id) => view.backlog.get(requestIDKey(id)) !== undefined && !view.isRequestProcessed(state, id))) return { follow: false };
  }
  return { follow: true, byContext };
}
