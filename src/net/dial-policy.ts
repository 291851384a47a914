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
