import { describe, expect, it } from 'vitest';
import { NODECONN_STREAM_LIMITS } from './limits';
import { streamVerdict, sweepIntervalMs, type StreamActivity } from './stream-guard';

const L = { ...NODECONN_STREAM_LIMITS, partialFrameMs: 100, halfClosedMs: 50, idleMs: 1000 };
const a = (o: Partial<StreamActivity>): StreamActivity => ({ lastFrameAtMs: 0, partialSinceMs: undefined, halfClosedAtMs: undefined, subscribed: false, ...o });

describe('nodeconn stream verdicts', () => {
  it('partial frame, half-closed and idle limits, each at its boundary', () => {
    expect(streamVerdict(a({ partialSinceMs: 10 }), 109, L)).toBe('ok');
    expect(streamVerdict(a({ partialSinceMs: 10 }), 110, L)).toBe('partialFrameTimeout');
    expect(streamVerdict(a({ halfClosedAtMs: 0 }), 49, L)).toBe('ok');
    expect(streamVerdict(a({ halfClosedAtMs: 0 }), 50, L)).toBe('halfClosedTimeout');
    expect(streamVerdict(a({}), 999, L)).toBe('ok');
    expect(streamVerdict(a({}), 1000, L)).toBe('idle');
  });
  it('a subscribed client may stay silent forever', () => {
    expect(streamVerdict(a({ subscribed: true }), 10 ** 9, L)).toBe('ok');
  });
  it('the sweep runs at a quarter of the shortest limit, between 50 ms and 1 s', () => {
    expect(sweepIntervalMs(L)).toBe(50);
    expect(sweepIntervalMs({ ...L, halfClosedMs: 2000, partialFrameMs: 2000 })).toBe(250);
    expect(sweepIntervalMs(NODECONN_STREAM_LIMITS)).toBe(1000);
  });
});
