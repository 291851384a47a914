import type { ClassEvent, ClassMessage, Snapshot } from '../../sim/classroom-model';

/**
 * Pure reads of the event log at a view time (RaftScope's render only reads the model): which snapshot holds,
 * which messages are in flight and how far along, which event the narration is at. No DOM here.
 */

/** 1× = this many virtual ms per wall ms: a consensus round (≈250 virtual ms) takes a few seconds to watch. */
export const VIRTUAL_MS_PER_WALL_MS_AT_1X = 0.1;
export const SPEED_MIN = 0.1;
export const SPEED_MAX = 10;

/** Index of the last item whose key ≤ t (items sorted by key), or -1. */
export function lastAtOrBefore<T>(items: readonly T[], t: number, key: (x: T) => number): number {
  let lo = 0;
  let hi = items.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (key(items[mid] as T) <= t) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}

export function snapshotAt(snaps: readonly Snapshot[], t: number): Snapshot | null {
  const i = lastAtOrBefore(snaps, t, (s) => s.timeMs);
  return i >= 0 ? (snaps[i] as Snapshot) : (snaps[0] ?? null);
}

export interface Flight {
  readonly msg: ClassMessage;
  /** 0 at the sender, 1 at the receiver. */
  readonly progress: number;
}

/** Messages on the wire at `t`. Dropped ones travel half way and fade. */
export function inFlight(msgs: readonly ClassMessage[], t: number, showMinor: boolean): Flight[] {
  const out: Flight[] = [];
  for (const m of msgs) {
    if (m.sentAtMs > t || m.deliverAtMs <= t) continue;
    if (m.minor && !showMinor) continue;
    const span = Math.max(1, m.deliverAtMs - m.sentAtMs);
    out.push({ msg: m, progress: (t - m.sentAtMs) / span });
  }
  return out;
}

/** Messages that arrived within `windowMs` before `t` (the receiver flashes). */
export function justArrived(msgs: readonly ClassMessage[], t: number, windowMs: number): ClassMessage[] {
  return msgs.filter((m) => m.fate === 'delivered' && !m.minor && m.deliverAtMs <= t && m.deliverAtMs > t - windowMs);
}

/** The last event at or before `t`, skipping minor ones unless shown. */
export function eventCursorAt(events: readonly ClassEvent[], t: number): number {
  return lastAtOrBefore(events, t, (e) => e.timeMs);
}

export function isShown(e: ClassEvent, showMinor: boolean): boolean {
  return showMinor || !e.minor;
}

/** Next shown event after `cursor`; with `stage`, the next one that starts another spec step. */
export function nextEvent(events: readonly ClassEvent[], cursor: number, showMinor: boolean, stage: boolean): number {
  const cur = events[cursor];
  for (let i = cursor + 1; i < events.length; i++) {
    const e = events[i] as ClassEvent;
    if (!isShown(e, showMinor)) continue;
    if (!stage) return i;
    if (e.step !== null && e.step !== (cur?.step ?? null)) return i;
  }
  return -1;
}

/** Previous shown event before `cursor`. */
export function prevEvent(events: readonly ClassEvent[], cursor: number, showMinor: boolean): number {
  for (let i = cursor - 1; i >= 0; i--) if (isShown(events[i] as ClassEvent, showMinor)) return i;
  return -1;
}

/** The spec step the narration is at: that of the latest event up to the cursor that has one. */
export function currentStep(events: readonly ClassEvent[], cursor: number): number | null {
  for (let i = cursor; i >= 0 && i > cursor - 200; i--) {
    const s = (events[i] as ClassEvent).step;
    if (s !== null) return s;
  }
  return null;
}
