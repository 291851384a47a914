import { describe, expect, it } from 'vitest';
import type { ClassEvent, ClassMessage } from '../../sim/classroom-model';
import { currentStep, eventCursorAt, inFlight, lastAtOrBefore, nextEvent, prevEvent } from './view';

const ev = (i: number, timeMs: number, step: number | null, minor = false): ClassEvent => ({ i, timeMs, actor: 0, kind: 'k', text: `e${i}`, step, ...(minor ? { minor } : {}) });
const msg = (seq: number, sentAtMs: number, deliverAtMs: number, fate: ClassMessage['fate'] = 'delivered'): ClassMessage => ({ seq, from: 0, to: 1, sentAtMs, deliverAtMs, kind: 'requestNotification', label: 'x', fate, minor: false, detail: [] });

describe('classroom view (pure reads of the log)', () => {
  it('finds the last item at or before a time', () => {
    const xs = [1, 3, 3, 7];
    expect(lastAtOrBefore(xs, 0, (x) => x)).toBe(-1);
    expect(lastAtOrBefore(xs, 3, (x) => x)).toBe(2);
    expect(lastAtOrBefore(xs, 100, (x) => x)).toBe(3);
  });

  it('places messages in flight by their send and delivery times', () => {
    const f = inFlight([msg(0, 10, 30), msg(1, 30, 40), msg(2, 20, 60, 'dropped')], 20, false);
    expect(f.map((x) => [x.msg.seq, x.progress])).toEqual([
      [0, 0.5],
      [2, 0],
    ]);
    expect(inFlight([msg(0, 10, 30)], 30, false)).toEqual([]);
  });

  it('steps by event and by spec step, skipping minor events', () => {
    const es = [ev(0, 0, 1), ev(1, 10, 1), ev(2, 10, null, true), ev(3, 20, 2), ev(4, 30, 2), ev(5, 40, 6)];
    expect(nextEvent(es, 1, false, false)).toBe(3);
    expect(nextEvent(es, 1, true, false)).toBe(2);
    expect(nextEvent(es, 0, false, true)).toBe(3);
    expect(nextEvent(es, 3, false, true)).toBe(5);
    expect(nextEvent(es, 5, false, false)).toBe(-1);
    expect(prevEvent(es, 3, false)).toBe(1);
    expect(eventCursorAt(es, 25)).toBe(3);
    expect(currentStep(es, 2)).toBe(1);
  });
});
