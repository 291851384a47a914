import type { BacklogRequest } from '../backlog';
import type { RequestNotificationMsg, RoundId } from '../messages';
import { CONSENSUS_PARAMS } from '../params';

/**
 * Step 2's filter: a request this node could process now — not time-locked by its clock (`nowS`, Unix seconds)
 * and not yet processed in the solid state.
 */
export const isReady = (q: BacklogRequest, nowS: number, processed: (q: BacklogRequest) => boolean): boolean => (q.section.timelock === 0 || q.section.timelock <= nowS) && !processed(q);

/** Step 2 on a member: tell the leader which requests are ready here (the first notificationRequestsMax); null: none. */
export function notification(round: RoundId, ready: readonly BacklogRequest[]): RequestNotificationMsg | null {
  const named = ready.slice(0, CONSENSUS_PARAMS.notificationRequestsMax);
  return named.length === 0 ? null : { kind: 'requestNotification', round, requestIds: named.map((q) => q.id) };
}
