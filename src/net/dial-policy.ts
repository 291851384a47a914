import { NET_LIMITS } from './limits';

/**
 * The dial path's timing rules, pure (browser-net.ts applies them; net.test.ts checks them). Why these numbers:
 * see NET_LIMITS (a hung WebRTC dial is common and cheap to retry; a healthy one is quick).
 */

/** Timeout of dial attempt `attempt` (1-based, counted since the last success) of this kind. */
export function dialTimeoutMs(kind: 'relayed' | 'webrtc', attempt: number): number {
  if (kind === 'relayed') return NET_LIMITS.relayedDialTimeoutMs;
  return attempt <= 1 ? NET_LIMITS.webrtcDialTimeoutFirstMs : NET_LIMITS.webrtcDialTimeoutMs;
}

/**
 * How long attempt `attempt` may take after it began reading ICE candidates before it counts as hung: short for
 * the first (a hang there is common and a healthy dial is quick), twice that for the second, and no extra bound
 * after (a loaded machine's slow but healthy dials still get through within dialTimeoutMs).
 */
export function afterIceMaxMs(attempt: number): number | undefined {
  if (attempt <= 1) return NET_LIMITS.webrtcAfterIceMaxMs;
  if (attempt === 2) return 2 * NET_LIMITS.webrtcAfterIceMaxMs;
  return undefined;
}

/** Wait before the next attempt after `failures` consecutive failed attempts (≥ 1). */
export function retryDelayMs(failures: number): number {
  if (failures <= NET_LIMITS.dialQuickRetries) return NET_LIMITS.dialRetryQuickMs;
  const k = Math.min(6, failures - NET_LIMITS.dialQuickRetries - 1);
  return Math.min(NET_LIMITS.dialBackoffMsMax, NET_LIMITS.dialBackoffMs * 2 ** k);
}

/**
 * Is a presence announcement due? Fast cadence while the mesh is forming (just started, or a known peer not yet
 * directly linked), the steady interval otherwise.
 */
export function presenceDue(nowMs: number, lastSentMs: number, startedMs: number, meshComplete: boolean): boolean {
  const fast = nowMs - startedMs < NET_LIMITS.presenceFastForMs || !meshComplete;
  return nowMs - lastSentMs >= (fast ? NET_LIMITS.presenceFastIntervalMs : NET_LIMITS.presenceIntervalMs);
}

/** Whose turn it is to dial WebRTC after a failed attempt (see `directReset` in peering-frames.ts). */
export interface DialTurn {
  readonly who: 'mine' | 'theirs';
  readonly untilMs: number;
}

/** What the dial rule needs to know about one peer. */
export interface DialRuleInput {
  readonly myPeerId: string;
  readonly peerId: string;
  /** What connects us now: nothing, the hub's relay only, or a direct WebRTC connection. */
  readonly kind: 'none' | 'relayed' | 'direct';
  readonly nowMs: number;
  readonly firstSeenMs: number;
  readonly turn: DialTurn | undefined;
  /** Both sides announce WebRTC (tabs do; the CLI and headless nodes do not). */
  readonly bothWebRTC: boolean;
  /** The e2e hook that keeps this pair relayed. */
  readonly directBlocked: boolean;
}

/**
 * The dial rule: what this node dials towards a peer now, or null. The relayed connection first (anyone may
 * dial it: circuit dials do not collide), then the WebRTC upgrade — by the smaller peer ID, so two tabs never dial
 * each other at once (simultaneous WebRTC dials of a pair tend to both fail), by the larger one after
 * dialRuleGraceMs of nothing, and by whoever holds the turn after a failed attempt passed it.
 */
export function dialNext(p: DialRuleInput): 'relayed' | 'webrtc' | null {
  if (p.kind === 'direct') return null;
  const turn = p.turn && p.nowMs < p.turn.untilMs ? p.turn.who : undefined;
  const byRule = p.myPeerId < p.peerId || p.nowMs - p.firstSeenMs > NET_LIMITS.dialRuleGraceMs;
  if (p.kind === 'none') return byRule ? 'relayed' : null;
  if (p.directBlocked || !p.bothWebRTC) return null;
  if (turn !== undefined) return turn === 'mine' ? 'webrtc' : null;
  return byRule ? 'webrtc' : null;
}
