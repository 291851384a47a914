import { fileURLToPath } from 'node:url';
import { test, expect } from 'iscp-browser-committee/playwright';

const COUNTER = fileURLToPath(new URL('../../../contracts/build/counter.wasm', import.meta.url));

test('the leader is killed mid-stream: nothing is lost, the chain goes on, and it converges again after a restart', async ({ committee }) => {
  const c = await committee({ n: 4, t: 3 });
  await c.deployContract(COUNTER, 'counter');

  // Start a stream of requests from a member, then close the tab of whoever leads the round.
  const leader = await expect.poll(() => c.leader(), { timeout: 60_000 }).not.toBeUndefined().then(() => c.leader());
  const poster = c.members.find((m) => m.index !== leader)?.index ?? 0;
  const first = c.post('counter', 'increment', {}, { count: 30, from: poster });
  await c.kill(leader as number);
  const ids = await first;

  // Three of four are a quorum (T=3): they process everything, and keep going.
  await c.waitProcessed(ids);
  const more = await c.post('counter', 'increment', {}, { count: 10, from: poster });
  await c.waitProcessed(more);
  const moved = await c.expectConverged();
  expect((await c.callView('counter', 'getCounter', {}, { member: poster })).counter).toBe('40');

  // The killed member comes back with the same name, resumes from its IndexedDB and catches up.
  await c.restart(leader as number);
  const all = await c.expectConverged({ minBlockIndex: moved.blockIndex });
  expect(all.stateHash).toBe(moved.stateHash);
  expect((await c.callView('counter', 'getCounter', {}, { member: leader as number })).counter).toBe('40');
  for (const m of c.members) expect((await c.audit(m.index)).duplicates, `duplicates in ${m.name}`).toBe(0);
});
