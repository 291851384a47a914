import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Simulation } from './sim';

const counterWasm = new Uint8Array(readFileSync(new URL('../../contracts/build/counter.wasm', import.meta.url)));

describe('simulator: chain deployed through the node API (real DKG)', () => {
  it('N=4 T=3: DKG over peering, origin, activation, root init, then requests', async () => {
    const sim = new Simulation({ seed: 11, n: 4, t: 3, requests: 8, dkg: true });
    const r = await sim.run();
    if (!r.ok) throw new Error(`${r.violation} — reproduce: ${r.reproduce}`);
    expect(r.requestsProcessed).toBe(9); // + root init
    expect(r.deploy?.viaDkg).toBe(true);
    const views = sim.slots.map((s) => s.node?.deployments()[0]);
    expect(views[0]?.phase).toBe('deployed');
    expect(views[0]?.reported).toEqual([0, 1, 2, 3]);
    expect(views[0]?.qual).toEqual([0, 1, 2, 3]);
    for (const v of views.slice(1)) expect(v?.phase).toBe('activated');
    // Every member stored its key share and its bootup record.
    for (const s of sim.slots) {
      const records = await s.registry.listBootupRecords();
      expect(records).toHaveLength(1);
      expect(await s.registry.getKeyShare(records[0]!.chainAddress)).not.toBeNull();
      expect(records[0]!.myIndex).toBe(s.index);
    }
  }, 120_000);

  it('wasm counter: deployed through blob + root, increments processed, the view equals the number of requests', async () => {
    const r = await new Simulation({ seed: 12, n: 4, t: 3, requests: 12, workload: 'counter', counterWasm }).run();
    if (!r.ok) throw new Error(`${r.violation} — reproduce: ${r.reproduce}`);
    expect(r.requestsProcessed).toBe(1 + 2 + 12);
  }, 120_000);
});
