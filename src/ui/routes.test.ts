import { describe, expect, it } from 'vitest';
import { needsNode, routeOf } from './use-host';

describe('hash routes', () => {
  it('only the dashboard needs the tab node', () => {
    expect(routeOf('')).toBe('dashboard');
    expect(routeOf('#/')).toBe('dashboard');
    expect(routeOf('#/classroom?tour=t1&seed=3')).toBe('classroom?tour=t1&seed=3');
    expect(needsNode(routeOf(''))).toBe(true);
    expect(needsNode(routeOf('#/whatever'))).toBe(true);
    expect(needsNode(routeOf('#/classroom?tour=t1'))).toBe(false);
    expect(needsNode(routeOf('#/classroom'))).toBe(false);
    expect(needsNode(routeOf('#/selftest'))).toBe(false);
  });
});
