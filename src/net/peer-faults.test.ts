import { describe, expect, it } from 'vitest';
import { PEER_FAULT_DELAY_MAX_MS, PeerFaults } from './peer-faults';

describe('PeerFaults', () => {
  it('passes everything while no rule is set', () => {
    const f = new PeerFaults();
    expect(f.outbound('a')).toEqual({ kind: 'pass' });
    expect(f.dropsInbound('a')).toBe(false);
    expect(f.stats()).toEqual({ droppedOut: 0, droppedIn: 0, delayed: 0 });
  });

  it('drops and delays per peer, both directions, and counts what it did', () => {
    const f = new PeerFaults();
    f.set({ peers: { a: { dropOut: true, dropIn: true }, b: { delayMs: 300 } }, silent: false });
    expect(f.outbound('a')).toEqual({ kind: 'drop' });
    expect(f.dropsInbound('a')).toBe(true);
    expect(f.outbound('b')).toEqual({ kind: 'delay', ms: 300 });
    expect(f.dropsInbound('b')).toBe(false);
    expect(f.outbound('c')).toEqual({ kind: 'pass' });
    expect(f.stats()).toEqual({ droppedOut: 1, droppedIn: 1, delayed: 1 });
  });

  it('silent drops every outbound envelope but still receives', () => {
    const f = new PeerFaults();
    f.set({ peers: {}, silent: true });
    expect(f.outbound('x')).toEqual({ kind: 'drop' });
    expect(f.dropsInbound('x')).toBe(false);
  });

  it('refuses a delay that is negative, not a number or above the bound (the old rules stay)', () => {
    const f = new PeerFaults();
    f.set({ peers: { a: { delayMs: 10 } }, silent: false });
    for (const delayMs of [-1, Number.NaN, PEER_FAULT_DELAY_MAX_MS + 1]) expect(() => f.set({ peers: { a: { delayMs } }, silent: false })).toThrow(/delay/);
    expect(f.outbound('a')).toEqual({ kind: 'delay', ms: 10 });
  });
});
