import { CONSENSUS_PARAMS, type ConsensusTimeouts } from '../params';
import type { Round } from '../round';

/** The stage timeouts at a leader position: they grow per full rotation (CONSENSUS_PARAMS.roundTimeoutGrowthMax). */
export function scaledTimeouts(to: ConsensusTimeouts, leaderPos: number, n: number): ConsensusTimeouts {
  const k = Math.min(1 + Math.floor(leaderPos / n), CONSENSUS_PARAMS.roundTimeoutGrowthMax);
  return k === 1 ? to : { ...to, leaderProposalMs: to.leaderProposalMs * k, resultsMs: to.resultsMs * k, anchorConfirmMs: to.anchorConfirmMs * k };
}

/**
 * "Each node sets timeouts for the leader operations. The leader is rotated upon expiration": the reason to
 * rotate when the stage of `r` has run out of time, else null. `idle` (collecting with no ready request and no
 * notification) never times out: an idle chain keeps its leader (the operator restarts the stage's clock).
 */
export function expiredStage(r: Round, nowMs: number, to: ConsensusTimeouts, idle: boolean): string | null {
  const since = nowMs - r.stageSinceMs;
  switch (r.stage) {
    case 'collecting':
      return !idle && since >= to.leaderProposalMs ? `No computation context from the leader within ${to.leaderProposalMs} ms` : null;
    case 'computing':
    case 'waitingResults':
      return since >= to.resultsMs ? `No anchor for the context within ${to.resultsMs} ms` : null;
    case 'waitingAnchor':
      return since >= to.anchorConfirmMs ? `Anchor not confirmed within ${to.anchorConfirmMs} ms` : null;
  }
}
