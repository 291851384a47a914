import { mkdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contractWasm } from './examples/wasm-fixture';
import { SELFTEST_CONTRACTS, runSelftestWorkload, type SelftestReport, type SelftestWasm } from './selftest-workload';

const wasm = Object.fromEntries(SELFTEST_CONTRACTS.map((c) => [c, contractWasm(c)])) as unknown as SelftestWasm;

describe('VM self-test workload (the #/selftest page runs the same in a Chromium worker)', () => {
  let first: SelftestReport;

  it('runs every contained outcome the workload names', () => {
    first = runSelftestWorkload(wasm);
    const reqs = first.batches.flatMap((b) => b.requests);
    const kind = (label: string) => {
      const r = reqs.find((x) => x.label === label);
      if (!r) throw new Error(`no request ${label}`);
      return r.ok ? 'ok' : r.error;
    };
    // Each label says what its request must end with: the workload checks itself.
    for (const r of reqs) {
      const want = /\((OutOfGas|StackOverflow|CallDepthExceeded|Panic|InsufficientFunds)\)/.exec(r.label)?.[1];
      if (want) expect([r.label, kind(r.label)]).toEqual([r.label, want]);
    }
    expect(kind('misbehave.deepThenCall n=300 (shared frame budget)')).toBe('StackOverflow');
    expect(kind('no such entry point')).toBe('NoSuchEntryPoint');
    expect(kind('roulette.playPeriod')).toBe('ok');
    expect(kind('roulette.playPeriod (too early)')).toBe('Panic');
    expect(kind('counter.increment (after gas change)')).toBe('ok');
    expect(first.views['counter.getCounter']).toBe('4');
    // Canonical NaNs: 0/0 is 0x7ff8000000000000 and f32(inf-inf) is 0x7fc00000 on every engine.
    expect(first.floats.find((f) => f.name === '0/0')?.result).toBe(String(0x7ff8000000000000n));
    expect(first.floats.find((f) => f.name === 'f32(inf-inf)')?.result).toBe(String(0x7fc00000));
    const mix = first.floats.filter((f) => f.name.startsWith('mix(20000)'));
    expect(mix[0]).toEqual({ ...mix[1], name: mix[0]?.name });
    expect(first.floats.find((f) => f.name === 'mix out of gas')).toMatchObject({ ok: false, kind: 'OutOfGas', gasUsed: '100000' });
  });

  it('gives the same digest, blocks and gas on a second run; writes the Node digest for the browser check', () => {
    const again = runSelftestWorkload(wasm);
    expect(again).toEqual(first);
    // Reset-and-reuse of wasm instances must be invisible: instantiating for every call gives the same report.
    expect(runSelftestWorkload(wasm, { freshInstances: true })).toEqual(first);
    mkdirSync('test-results', { recursive: true });
    writeFileSync('test-results/vm-selftest.node.json', JSON.stringify({ node: process.version, digest: first.digest, finalStateHash: first.finalStateHash, totalGas: first.totalGas }, null, 2));
  });
});
