import { describe, expect, it } from 'vitest';
import { Simulation } from './sim';

// Real BLS (trusted-dealer keys), the real VM and L1 ledger; a few seeds, small batches (BLS is ~10-20 ms/op in Node).
describe('simulator: invariants hold', () => {
  const run = async (cfg: ConstructorParameters<typeof Simulation>[0]) => {
    const r = await new Simulation(cfg).run();
    if (!r.ok) throw new Error(`${r.violation} — reproduce: ${r.reproduce}`);
    return r;
  };

  it('N=4 T=3 happy path: every request processed once, equal state hashes, accounts invariant', async () => {
    const r = await run({ seed: 1, n: 4, t: 3, requests: 30 });
    expect(r.requestsProcessed).toBe(31); // + root init
    expect(r.blocks).toBeGreaterThanOrEqual(2);
  }, 120_000);

  it('N=7 T=5 with delays, reordering, drops and duplicates', async () => {
    const r = await run({ seed: 2, n: 7, t: 5, requests: 10, network: { dropRate: 0.05, duplicateRate: 0.05, delayMinMs: 0, delayMaxMs: 40 } });
    expect(r.requestsProcessed).toBe(11);
  }, 120_000);

  it('a Byzantine member computing wrong results is recorded as evidence and the chain goes on', async () => {
    const sim = new Simulation({ seed: 3, n: 4, t: 3, requests: 10, byzantine: [{ index: 1, kind: 'wrongResult' }] });
    const r = await sim.run();
    expect(r.violation).toBeNull();
    expect(r.requestsProcessed).toBe(11);
    expect(sim.evidenceKinds().some((k) => k === 'wrongResultHash@1')).toBe(true);
  }, 120_000);

  it('a crashed member restarts from its store and catches up by sync', async () => {
    const r = await run({ seed: 4, n: 4, t: 3, requests: 20, requestIntervalMs: 40, crashes: [{ index: 2, atMs: 400, restartAtMs: 900 }] });
    expect(r.requestsProcessed).toBe(21);
  }, 120_000);
});

describe('simulator: leader equivocation and L1 anchor rejection', () => {
  it('an equivocating leader is recorded (conflictingContext), its round times out, the next leader goes on', async () => {
    const sim = new Simulation({ seed: 5, n: 4, t: 3, requests: 12, requestIntervalMs: 60, byzantine: [{ index: 1, kind: 'equivocate' }] });
    const r = await sim.run();
    if (!r.ok) throw new Error(`${r.violation} — reproduce: ${r.reproduce}`);
    expect(r.requestsProcessed).toBe(13);
    expect(sim.evidenceKinds()).toContain('conflictingContext@1');
  }, 120_000);

  it('L1 rejects an anchor once: requests stay in the backlog, the round restarts, nothing is lost', async () => {
    const r = await new Simulation({ seed: 6, n: 4, t: 3, requests: 10, requestIntervalMs: 20, rejectAnchorBlocks: [2] }).run();
    if (!r.ok) throw new Error(`${r.violation} — reproduce: ${r.reproduce}`);
    expect(r.anchorsRejected).toBe(1);
    expect(r.requestsProcessed).toBe(11);
  }, 120_000);
});
