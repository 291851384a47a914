import { describe, expect, it } from 'vitest';
import { Simulation, type SimConfig } from './sim';

/**
 * Issue #12.6: a tampered store is refused on reload. The restarted member's store is edited (one stored value, or
 * one mutation of block #1); its node verifies the store against its blocks (verifyStoredChain), discards it and
 * syncs the chain from the committee. The run fails if any honest node commits a block another did not, or ends
 * on another state.
 */
const run = async (cfg: SimConfig) => {
  const r = await new Simulation(cfg).run();
  if (!r.ok) throw new Error(`${r.violation} — reproduce: ${r.reproduce}`);
  return r;
};

describe('simulator: a restarted member whose store was edited', () => {
  for (const tamper of ['state', 'block'] as const) {
    it(`tamper '${tamper}': the store is refused, reset and the member resyncs to the committee's state`, async () => {
      const r = await run({ seed: 41, n: 4, t: 3, requests: 16, requestIntervalMs: 60, crashes: [{ index: 2, atMs: 500, restartAtMs: 900, tamper }] });
      expect(r.storesRefused).toBe(1);
      expect(r.requestsProcessed).toBe(17); // + root init, on every honest node (the restarted one included)
    }, 120_000);
  }

  it('an untampered restart keeps its store (nothing is refused)', async () => {
    const r = await run({ seed: 41, n: 4, t: 3, requests: 16, requestIntervalMs: 60, crashes: [{ index: 2, atMs: 500, restartAtMs: 900 }] });
    expect(r.storesRefused).toBe(0);
  }, 120_000);
});
