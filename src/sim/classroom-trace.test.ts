import { describe, expect, it } from 'vitest';
import { classroomTrace, scenarioFromTrace, TraceFormatError, CLASSROOM_TRACE_FORMAT } from './classroom-trace';
import { defaultScenario } from './classroom-model';

describe('classroom traces', () => {
  it('reads the CLI trace config (npm run sim -- --trace) as a scenario', () => {
    const cli = {
      config: { seed: 9, n: 5, t: 4, requests: 7, network: { dropRate: 0.05, duplicateRate: 0, delayMinMs: 0, delayMaxMs: 40 }, byzantine: [{ index: 2, kind: 'badPartialSig' }], crashes: [{ index: 1, atMs: 400, restartAtMs: 900 }], partition: { groups: [[0], [1, 2, 3, 4]], fromMs: 200, toMs: 800 }, rejectAnchorBlocks: [3], trace: true },
      events: [],
    };
    const { scenario, source } = scenarioFromTrace(cli);
    expect(source).toBe('cli');
    expect(scenario).toMatchObject({ seed: 9, n: 5, t: 4, requests: 7, requestIntervalMs: 5, dropRate: 0.05, delayMaxMs: 40, rejectAnchorBlocks: [3] });
    expect(scenario.byzantine).toEqual([{ index: 2, kind: 'badPartialSig' }]);
    expect(scenario.faults).toEqual([
      { kind: 'crash', index: 1, atMs: 400, restartAtMs: 900 },
      { kind: 'partition', isolate: [0], fromMs: 200, toMs: 800 },
    ]);
  });

  it('round-trips its own format and refuses garbage with a typed error', () => {
    const sc = { ...defaultScenario(3, 4), faults: [{ kind: 'crash' as const, index: 2, atMs: 300 }] };
    const t = JSON.parse(JSON.stringify(classroomTrace(sc, 'happy-path', null, []))) as unknown;
    expect(scenarioFromTrace(t)).toEqual({ scenario: sc, tour: 'happy-path', source: 'classroom' });
    expect(() => scenarioFromTrace(42)).toThrow(TraceFormatError);
    expect(() => scenarioFromTrace({ events: [] })).toThrow(TraceFormatError);
    expect(() => scenarioFromTrace({ format: CLASSROOM_TRACE_FORMAT, scenario: { ...sc, n: 40 } })).toThrow(TraceFormatError);
  });
});
