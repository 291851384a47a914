import { describe, expect, it } from 'vitest';
import { dueBy, loadPlan, LOAD_LIMITS } from './load';

describe('steady-rate generator (dashboard)', () => {
  it('schedules rate × elapsed, never more than the total', () => {
    expect(dueBy(0, 20, 40)).toBe(0);
    expect(dueBy(250, 20, 40)).toBe(5);
    expect(dueBy(1_000, 20, 40)).toBe(20);
    expect(dueBy(10_000, 20, 40)).toBe(40);
    expect(dueBy(-5, 20, 40)).toBe(0);
    expect(dueBy(100, 0.5, 10)).toBe(0);
  });
  it('refuses rates, durations and totals it cannot run', () => {
    expect(loadPlan(20, 2)).toBe(40);
    expect(() => loadPlan(0, 2)).toThrow(/rate must be/);
    expect(() => loadPlan(LOAD_LIMITS.rateMax + 1, 2)).toThrow(/rate must be/);
    expect(() => loadPlan(10, 0)).toThrow(/duration/);
    expect(() => loadPlan(10, 1.5)).toThrow(/duration/);
    expect(() => loadPlan(0.1, 5)).toThrow(/rate × duration/);
    expect(() => loadPlan(LOAD_LIMITS.rateMax, LOAD_LIMITS.secondsMax)).toThrow(/rate × duration/);
  });
});
