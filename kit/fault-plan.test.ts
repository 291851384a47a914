import { describe, expect, it } from 'vitest';
import { FaultPlan } from './fault-plan.ts';

const ids = ['n0', 'n1', 'n2', 'n3'];
const all = [0, 1, 2, 3];
const of = (j: number): string => ids[j] as string;

describe('FaultPlan', () => {
  it('a partition drops both ways across the cut, nothing within a side', () => {
    const p = new FaultPlan();
    expect(p.partition([0, 1, 2], [3]).sort()).toEqual([0, 1, 2, 3]);
    expect(p.configFor(0, all, of)).toEqual({ peers: { n3: { dropOut: true, dropIn: true } }, silent: false });
    expect(p.configFor(3, all, of)).toEqual({ peers: { n0: { dropOut: true, dropIn: true }, n1: { dropOut: true, dropIn: true }, n2: { dropOut: true, dropIn: true } }, silent: false });
  });

  it('a slow link delays both directions and combines with a partition; heal clears links but not Byzantine kinds', () => {
    const p = new FaultPlan();
    p.slowLink(0, 1, 200);
    p.partition([0], [1]);
    p.byzantine(2, 'silent');
    p.byzantine(3, 'wrongResult');
    expect(p.configFor(1, all, of).peers).toEqual({ n0: { delayMs: 200, dropOut: true, dropIn: true } });
    p.heal();
    expect(p.configFor(0, all, of)).toEqual({ peers: {}, silent: false });
    expect(p.configFor(2, all, of).silent).toBe(true);
    expect(p.workerKind(3)).toBe('wrongResult');
  });

  it('one Byzantine kind per member: switching replaces it, null makes it honest', () => {
    const p = new FaultPlan();
    p.byzantine(1, 'badPartialSig');
    p.byzantine(1, 'silent');
    expect([p.workerKind(1), p.configFor(1, all, of).silent]).toEqual([null, true]);
    p.byzantine(1, null);
    expect([p.workerKind(1), p.configFor(1, all, of).silent]).toEqual([null, false]);
  });
});
