import { describe, expect, it } from 'vitest';
import { ClassroomEngine, defaultScenario, toSimConfig, validateScenario, ScenarioError, type ClassEvent, type ScriptFault } from './classroom';
import { BYZANTINE_KINDS, Simulation } from './sim';
import { tourById, TOURS } from './tours';

async function runAll(id: string, seed = 42): Promise<{ events: ClassEvent[]; result: Awaited<ReturnType<ClassroomEngine['runToEnd']>> }> {
  const tour = tourById(id);
  if (!tour) throw new Error(`no tour ${id}`);
  const e = await ClassroomEngine.create(tour.scenario(seed), { browser: false });
  const events: ClassEvent[] = [];
  const result = await e.runToEnd((s) => events.push(...s.events));
  return { events, result };
}

describe('classroom engine', () => {
  it('steps the real simulator: same final state hash as Simulation.run for the same scenario', async () => {
    const sc = { ...defaultScenario(7, 4), requests: 3 };
    const e = await ClassroomEngine.create(sc, { browser: false });
    // Chunked advances (as the page does) must not change anything.
    let t = 0;
    let s = await e.advanceTo((t += 137));
    while (!s.finished) s = await e.advanceTo((t += 137));
    const plain = await new Simulation(toSimConfig(sc, [], false)).run();
    expect(plain.ok).toBe(true);
    expect(s.result?.finalStateHash).toBe(plain.finalStateHash);
    expect(s.result?.blockIndex).toBe(plain.blocks);
  }, 60_000);

  it('narrates the leader crash: rotation after the timeout names the next leader', async () => {
    const { events, result } = await runAll('leader-crash');
    expect(result.ok).toBe(true);
    const crash = events.find((e) => e.kind === 'fault' && /leader for block #3, will crash/.test(e.text));
    expect(crash).toBeDefined();
    const crashed = Number(/member (\d+)/.exec(crash?.text ?? '')?.[1]);
    const rotation = events.find((e) => e.kind === 'leaderRotation' && e.text.includes(`rotating the leader from member ${crashed}`));
    expect(rotation?.step).toBe(1);
    const next = events.find((e) => e.i > (rotation?.i ?? 0) && /Round for block #3: leader is member (\d+) \(position 1/.test(e.text));
    expect(next).toBeDefined();
    expect(next?.text).not.toContain(`leader is member ${crashed} `);
  }, 60_000);

  it('names the bad partial signature at step 11', async () => {
    const { events } = await runAll('bad-partial-sig');
    const ev = events.find((e) => e.kind === 'evidence' && e.text.includes('bad partial signature from member 3'));
    expect(ev?.step).toBe(11);
    // Every message delivery links to a decoded message; steps stay within 1..14.
    for (const e of events) if (e.step !== null) expect(e.step).toBeGreaterThanOrEqual(1), expect(e.step).toBeLessThanOrEqual(14);
  }, 60_000);

  it('the equivocating-leader tour turns whoever leads block #2, whatever the seed, and names the evidence', async () => {
    for (const seed of [42, 7, 1234]) {
      const { events, result } = await runAll('equivocating-leader', seed);
      expect(result.ok, `seed ${seed}`).toBe(true);
      const turned = events.find((e) => e.kind === 'fault' && /the leader for block #2, turns Byzantine \(equivocate\)/.test(e.text));
      const member = Number(/member (\d+)/.exec(turned?.text ?? '')?.[1]);
      expect(Number.isInteger(member), `seed ${seed}`).toBe(true);
      expect(events.some((e) => e.kind === 'evidence' && e.text.includes(`Evidence against member ${member}`)), `seed ${seed}`).toBe(true);
    }
  }, 120_000);

  it('rejects bad scenarios with a typed error', () => {
    expect(() => validateScenario({ ...defaultScenario(1, 4), n: 11 })).toThrow(ScenarioError);
    expect(() => validateScenario({ ...defaultScenario(1, 4), t: 2 })).toThrow(ScenarioError);
    expect(TOURS.map((t) => t.id)).toContain('time-locked');
    const wrongResult = { kind: 'byzantineLeader', blockIndex: 2, behaviour: 'wrongResult' } as unknown as ScriptFault;
    expect(() => validateScenario({ ...defaultScenario(1, 4), faults: [wrongResult] })).toThrow(ScenarioError);
  });
});

describe('classroom: every Byzantine behaviour the menu offers runs to a finished chain', () => {
  it.each(BYZANTINE_KINDS)('%s at member 1 of 4', async (kind) => {
    const sc = validateScenario({ ...defaultScenario(5, 4), requests: 3, byzantine: [{ index: 1, kind }] });
    const e = await ClassroomEngine.create(sc, { browser: false });
    const result = await e.runToEnd(() => undefined);
    expect(result.ok, result.violation ?? '').toBe(true);
    expect(result.blockIndex).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('refuses a behaviour it does not know', () => {
    expect(() => validateScenario({ ...defaultScenario(5, 4), byzantine: [{ index: 1, kind: 'sneaky' as never }] })).toThrow(/unknown Byzantine behaviour 'sneaky'/);
  });
});
