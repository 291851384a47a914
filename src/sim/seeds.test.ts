import { describe, expect, it } from 'vitest';
import { Simulation } from './sim';
import { scenarioForSeed } from './seeds';

/**
 * Many-seeds mode (cheap CI form): small N=4 scenarios whose faults (drops, duplicates, delays, one Byzantine
 * member, one crash, one L1 anchor rejection) all follow from the seed. Real BLS and VM make one seed ≈ 1 s on a
 * loaded 2-core machine, so CI runs SEEDS of them; the long form is `npm run sim -- --seeds 1..500`.
 */
const SEEDS = 40;

describe('simulator: many seeds', () => {
  it(`${SEEDS} seeded fault scenarios keep every invariant`, async () => {
    const failures: string[] = [];
    for (let seed = 1000; seed < 1000 + SEEDS; seed++) {
      const r = await new Simulation(scenarioForSeed(seed)).run();
      if (!r.ok) failures.push(`seed ${seed}: ${r.violation}\n  reproduce: npm run sim -- --seeds ${seed}..${seed}   (= ${r.reproduce})`);
    }
    if (failures.length) console.error(failures.join('\n'));
    expect(failures).toEqual([]);
  }, 300_000);
});
