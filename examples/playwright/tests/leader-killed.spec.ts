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
  expect((await c.callView('counter', 'getCounter', {}, { member: poster })).counter, 'counter without the leader').toBe('40');

  // The killed member comes back with the same name, resumes from its IndexedDB and catches up.
  await c.restart(leader);
  const all = await c.expectConverged({ minBlockIndex: moved.blockIndex });
  // Each of the 40 requests (and the 3 of the setup: root.init, blob.storeBlob, root.deployContract) is in every
  // member's blocks exactly once, and every member counts 40.
  for (const m of c.members) {
    expect((await c.callView('counter', 'getCounter', {}, { member: m.index })).counter, `counter in ${m.name}`).toBe('40');
    const audit = await c.audit(m.index);
    expect(audit, `${m.name}'s stored blocks`).toEqual({ blockIndex: all.blockIndex, stateHash: all.stateHash, requests: 43, duplicates: 0 });
  }
});
