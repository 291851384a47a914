import { fileURLToPath } from 'node:url';
import { test, expect } from 'iscp-browser-committee/playwright';

const COUNTER = fileURLToPath(new URL('../../../contracts/build/counter.wasm', import.meta.url));

test('the leader is killed mid-stream: nothing is lost, the chain goes on, and it converges again after a restart', async ({ committee }) => {
  const c = await committee({ n: 4, t: 3 });
  await c.deployContract(COUNTER, 'counter');

  // Start a stream of requests from another member, then close the leader's tab while they are processed.
  const leader = await c.waitLeader();
  const poster = leader === 0 ? 1 : 0;
  const posting = c.post('counter', 'increment', {}, { count: 30, from: poster });
  await c.kill(leader);
  const first = await posting;

  // Three of four are a quorum (T=3): they process everything, and keep going.
  await c.waitProcessed(first);
  const more = await c.post('counter', 'increment', {}, { count: 10, from: poster });
  await c.waitProcessed(more);
  const moved = await c.expectConverged();
  expect((await c.callView('counter', 'getCounter', {}, { member: poster })).counter).toBe('40');

  // The killed member comes back with the same name, resumes from its IndexedDB and catches up.
  await c.restart(leader);
  const all = await c.expectConverged({ minBlockIndex: moved.blockIndex });
  expect(all.stateHash).toBe(moved.stateHash);
  expect((await c.callView('counter', 'getCounter', {}, { member: leader })).counter).toBe('40');
  for (const m of c.members) expect((await c.audit(m.index)).duplicates, `duplicates in ${m.name}`).toBe(0);
});
