import { fileURLToPath } from 'node:url';
import { test, expect } from 'iscp-browser-committee/playwright';

const COUNTER = fileURLToPath(new URL('../../../contracts/build/counter.wasm', import.meta.url));

test('a partition 3 | 1 heals: the majority goes on, the cut-off member catches up, nothing is lost', async ({ committee }) => {
  const c = await committee({ n: 4, t: 3 });
  await c.deployContract(COUNTER, 'counter');
  const before = await c.expectConverged();

  await c.partition([0, 1, 2], [3]);
  const during = await c.post('counter', 'increment', {}, { count: 15, from: 0 });
  await c.waitProcessed(during, { members: [0, 1, 2] });
  const majority = await c.expectConverged({ members: [0, 1, 2], minBlockIndex: before.blockIndex + 1 });
  // The fault acted: the majority dropped what it would have sent to member 3 (at least the leader's contexts),
  // and member 3 is behind.
  let dropped = 0;
  for (const i of [0, 1, 2]) dropped += (await c.faultStats(i)).droppedOut;
  expect(dropped).toBeGreaterThan(0);
  expect((await c.chainView(3))?.blockIndex).toBeLessThan(majority.blockIndex);

  await c.heal();
  const after = await c.post('counter', 'increment', {}, { count: 5, from: 3 });
  await c.waitProcessed([...during, ...after]);
  await c.expectConverged({ minBlockIndex: majority.blockIndex + 1 });
  for (const m of c.members) {
    expect((await c.callView('counter', 'getCounter', {}, { member: m.index })).counter, `counter in ${m.name}`).toBe('20');
    expect((await c.audit(m.index)).duplicates).toBe(0);
  }
});
