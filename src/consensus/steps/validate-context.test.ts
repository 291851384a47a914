import { describe, expect, it } from 'vitest';
import { balancesOf, COLOR_IOTA } from '../../protocol';
import { NOW, stepsFixture } from './steps.fixture';
import { UNKNOWN_REQUESTS, validateContext } from './validate-context';

const stray = (fill: number) => ({ txId: new Uint8Array(32).fill(fill), balances: balancesOf([[COLOR_IOTA, 1n]]) });

describe('step 6 (member): validateContext', () => {
  it('accepts a context naming loaded, unprocessed requests at a timestamp within tolerance', () => {
    const f = stepsFixture({ requests: 2 });
    expect(validateContext(f.ctx(), f.view, NOW)).toBeNull();
  });

  it('holds a context naming requests or strays not loaded here (UNKNOWN_REQUESTS), judging nothing yet', () => {
    const f = stepsFixture({ loadRequests: false });
    expect(validateContext(f.ctx(), f.view, NOW)).toBe(UNKNOWN_REQUESTS);
    const g = stepsFixture();
    expect(validateContext(g.ctx({ strayTxIds: [stray(0x40).txId] }), g.view, NOW)).toBe(UNKNOWN_REQUESTS);
  });

  it('names the broken rule: empty, unordered, out of tolerance, not after the state, processed', () => {
    const f = stepsFixture({ requests: 2 });
    expect(validateContext(f.ctx({ requestIds: [] }), f.view, NOW)).toBe('empty batch');
    expect(validateContext(f.ctx({ requestIds: [...f.requestIds].reverse() }), f.view, NOW)).toBe('batch not strictly ordered by request ID');
    expect(validateContext(f.ctx(), f.view, NOW + 1_001)).toMatch(/more than 1000 ms from this node's clock/);
    expect(validateContext(f.ctx({ timestamp: 0n }), f.view, 0)).toBe('timestamp not after the state timestamp');
    f.markProcessed(f.requestIds[1]?.txId ?? new Uint8Array(32));
    expect(validateContext(f.ctx(), f.view, NOW)).toMatch(/was already processed/);
  });

  it('bounds the batch by the configured maximum', () => {
    const f = stepsFixture({ requests: 2 });
    expect(validateContext(f.ctx(), { ...f.view, batchMax: 1 }, NOW)).toBe('batch of 2 > 1');
  });

  it('refuses strays out of order and a request transaction named as a stray', () => {
    const a = stray(0x30), b = stray(0x31);
    const f = stepsFixture({ strays: [a, b] });
    expect(validateContext(f.ctx({ strayTxIds: [a.txId, b.txId] }), f.view, NOW)).toBeNull();
    expect(validateContext(f.ctx({ strayTxIds: [b.txId, a.txId] }), f.view, NOW)).toBe('strays not strictly ordered by tx ID');
    expect(validateContext(f.ctx({ strayTxIds: [a.txId, a.txId] }), f.view, NOW)).toBe('strays not strictly ordered by tx ID');
    const g = stepsFixture();
    expect(validateContext(g.ctx({ strayTxIds: [g.requestIds[0]?.txId ?? new Uint8Array(32)] }), g.view, NOW)).toMatch(/is a request transaction/);
  });
});
