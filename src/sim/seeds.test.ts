import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Simulation } from './sim';
import { scenarioForSeed } from './seeds';

/**
 * Many-seeds mode (cheap CI form): small N=4 scenarios whose faults (drops, duplicates, delays, one Byzantine
 * member, one crash, one L1 anchor rejection) all follow from the seed. Real BLS and VM make one seed ≈ 1 s on a
 * loaded 2-core machine (≈0.5 s of CPU when quiet), so CI runs SEEDS of them; the long form is `npm run sim -- --seeds 1..500`.
 */
const SEEDS_FIRST = 1000;
const SEEDS = 300;
/** Chunks keep each test under its timeout on a 2-core CI machine and name the failing range. */
const CHUNK = 50;
const chunks = Array.from({ length: SEEDS / CHUNK }, (_, i) => SEEDS_FIRST + i * CHUNK);

describe('simulator: many seeds', () => {
  it.each(chunks)(`seeds %i.. (+${CHUNK}): seeded fault scenarios keep every invariant`, async (first) => {
    const failures: string[] = [];
    for (let seed = first; seed < first + CHUNK; seed++) {
      const r = await new Simulation(scenarioForSeed(seed)).run();
      if (!r.ok) failures.push(`seed ${seed}: ${r.violation}\n  reproduce: npm run sim -- --seeds ${seed}..${seed}   (= ${r.reproduce})`);
    }
    if (failures.length) console.error(failures.join('\n'));
    expect(failures).toEqual([]);
  }, 300_000);
});

/** The cross-chain form (issue #11): 2–3 chains, contracts posting to other chains and their own, with the seed's faults. */
const CROSS_FIRST = 2000;
const CROSS_SEEDS = 10;
const counterWasm = new Uint8Array(readFileSync(new URL('../../contracts/build/counter.wasm', import.meta.url)));

describe('simulator: many seeds, cross-chain workload', () => {
  it(`seeds ${CROSS_FIRST}.. (+${CROSS_SEEDS}): every counter exact, accounts per chain, supply conserved`, async () => {
    const failures: string[] = [];
    for (let seed = CROSS_FIRST; seed < CROSS_FIRST + CROSS_SEEDS; seed++) {
      const r = await new Simulation(scenarioForSeed(seed, { crossChain: { counterWasm } })).run();
      if (!r.ok) failures.push(`seed ${seed}: ${r.violation}\n  reproduce: npm run sim -- --seeds ${seed}..${seed} --workload crossChain   (= ${r.reproduce})`);
      else expect(r.crossChainProcessed).toBeGreaterThan(0);
    }
    if (failures.length) console.error(failures.join('\n'));
    expect(failures).toEqual([]);
  }, 300_000);
});
