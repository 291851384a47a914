import { test, expect } from '../kit/playwright.ts';
import type { Committee } from '../kit/playwright.ts';
import { COUNTER_WASM } from './chain-helpers';

/** The kit's fault injection on real tabs (docs/testing.md): each fault must act, and the committee must cope. */

async function counterEverywhere(c: Committee, members: readonly number[], value: number): Promise<void> {
  for (const i of members) expect((await c.callView('counter', 'getCounter', {}, { member: i })).counter, `counter in member ${i}`).toBe(String(value));
}

test('slow links: envelopes to and from member 0 leave 250 ms late, the committee still processes and converges', async ({ committee }) => {
  const c = await committee({ n: 4, t: 3, namePrefix: 's' });
  await c.deployContract(COUNTER_WASM, 'counter');
  for (const j of [1, 2, 3]) await c.slowLink(0, j, 250);
  const ids = await c.post('counter', 'increment', {}, { count: 10, from: 1 });
  await c.waitProcessed(ids);
  await c.expectConverged();
  // Both directions acted: member 0 sent late, and the others sent to it late.
  expect((await c.faultStats(0)).delayed).toBeGreaterThan(0);
  let toZero = 0;
  for (const j of [1, 2, 3]) toZero += (await c.faultStats(j)).delayed;
  expect(toZero).toBeGreaterThan(0);
  await counterEverywhere(c, [0, 1, 2, 3], 10);
});

test('Byzantine silent member: the other three (T=3) go on; honest again, it catches up', async ({ committee }) => {
  const c = await committee({ n: 4, t: 3, namePrefix: 'q' });
  await c.deployContract(COUNTER_WASM, 'counter');
  await c.byzantine(3, 'silent');
  const ids = await c.post('counter', 'increment', {}, { count: 10, from: 0 });
  await c.waitProcessed(ids, { members: [0, 1, 2] });
  const at = await c.expectConverged({ members: [0, 1, 2] });
  expect((await c.faultStats(3)).droppedOut).toBeGreaterThan(0);
  await counterEverywhere(c, [0, 1, 2], 10);
  await c.byzantine(3, null);
  await c.expectConverged({ minBlockIndex: at.blockIndex });
  await counterEverywhere(c, [3], 10);
});

/** The evidence an honest leader records when a member misbehaves in its round (consensus/evidence.ts). */
const EVIDENCE = { wrongResult: 'wrongResultHash', badPartialSig: 'badPartialSignature' } as const;

for (const kind of ['wrongResult', 'badPartialSig'] as const) {
  test(`Byzantine ${kind} member: honest leaders record the evidence, and the honest members agree on the right state`, async ({ committee }) => {
    const c = await committee({ n: 4, t: 3, namePrefix: kind === 'wrongResult' ? 'w' : 'b' });
    await c.deployContract(COUNTER_WASM, 'counter');
    // Not the current leader: its answers reach an honest leader, which checks them.
    const bad = ((await c.waitLeader()) + 1) % 4;
    await c.byzantine(bad, kind);
    const honest = [0, 1, 2, 3].filter((i) => i !== bad);
    // A few rounds, so leadership moves on (the bad member may lead one: the chain must get past it too).
    for (let round = 0; round < 3; round++) await c.waitProcessed(await c.post('counter', 'increment', {}, { count: 4, from: honest[0] }), { members: honest });
    await c.expectConverged({ members: honest });
    await counterEverywhere(c, honest, 12);
    for (const i of honest) expect((await c.audit(i)).duplicates).toBe(0);
    const badIndex = (await c.chainView(honest[0] as number))?.committee.indexOf(c.member(bad).nodeId);
    const recorded = [];
    for (const i of honest) recorded.push(...((await c.chainView(i))?.evidence ?? []));
    expect(recorded, `evidence against member ${badIndex}`).toContainEqual({ member: badIndex, kind: EVIDENCE[kind] });
  });
}

test('a partition 2 | 2 leaves no quorum anywhere: nothing is committed until it heals, then every request is, once', async ({ committee }) => {
  const c = await committee({ n: 4, t: 3, namePrefix: 'p' });
  await c.deployContract(COUNTER_WASM, 'counter');
  const before = await c.expectConverged();
  await c.partition([0, 1], [2, 3]);
  const ids = await c.post('counter', 'increment', {}, { count: 8, from: 0 });
  // No side has T=3 members: the requests wait in the backlogs (the filters drop what would cross).
  await expect.poll(async () => (await c.chainView(0))?.backlog ?? 0, { timeout: 30_000 }).toBeGreaterThan(0);
  // Whoever leads sends its context across the cut: some member's filter dropped it.
  await expect.poll(async () => { let n = 0; for (const i of [0, 1, 2, 3]) n += (await c.faultStats(i)).droppedOut; return n; }, { timeout: 30_000 }).toBeGreaterThan(0);
  for (const i of [0, 1, 2, 3]) expect((await c.chainView(i))?.blockIndex, `block index in member ${i}`).toBe(before.blockIndex);
  await c.heal();
  await c.waitProcessed(ids);
  await c.expectConverged({ minBlockIndex: before.blockIndex + 1 });
  await counterEverywhere(c, [0, 1, 2, 3], 8);
  for (const i of [0, 1, 2, 3]) expect((await c.audit(i)).duplicates).toBe(0);
});
