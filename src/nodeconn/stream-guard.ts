import type { NodeConnStreamLimits } from './limits';

/** What the hub tracks per nodeconn stream to apply NodeConnStreamLimits. Pure data; the binding owns the clock. */
export interface StreamActivity {
  /** The last time a whole frame went either way (or the stream opened). */
  lastFrameAtMs: number;
  /** When the first byte of the frame now incomplete arrived; undefined when no partial frame is held. */
  partialSinceMs: number | undefined;
  /** When the client closed its writing side (the hub then closes its own); undefined while it has not. */
  halfClosedAtMs: number | undefined;
  /** A session with subscriptions is waiting for updates: silence is normal for it. */
  subscribed: boolean;
}

export type StreamVerdict = 'ok' | 'partialFrameTimeout' | 'halfClosedTimeout' | 'idle';

/** Whether a stream has outstayed a limit, and which. Checked by a periodic sweep, so a verdict may come late by one period. */
export function streamVerdict(a: StreamActivity, nowMs: number, limits: NodeConnStreamLimits): StreamVerdict {
  if (a.partialSinceMs !== undefined && nowMs - a.partialSinceMs >= limits.partialFrameMs) return 'partialFrameTimeout';
  if (a.halfClosedAtMs !== undefined && nowMs - a.halfClosedAtMs >= limits.halfClosedMs) return 'halfClosedTimeout';
  if (!a.subscribed && a.partialSinceMs === undefined && nowMs - a.lastFrameAtMs >= limits.idleMs) return 'idle';
  return 'ok';
}

/** How often the sweep runs: often enough to honour the shortest limit within a quarter of it, at most once per 50 ms. */
export function sweepIntervalMs(limits: NodeConnStreamLimits): number {
  return Math.max(50, Math.min(1_000, Math.floor(Math.min(limits.partialFrameMs, limits.halfClosedMs, limits.idleMs) / 4)));
}
