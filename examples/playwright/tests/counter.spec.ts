import { fileURLToPath } from 'node:url';
import { test, expect } from 'iscp-browser-committee/playwright';

/** The counter contract built by the package (`npm run build:contracts` in the package). */
const COUNTER = fileURLToPath(new URL('../../../contracts/build/counter.wasm', import.meta.url));

test('happy path: 4 tabs (T=3) count 20 increments, and every member agrees', async ({ committee }) => {
  const c = await committee({ n: 4, t: 3 });
  await c.deployContract(COUNTER, 'counter');

  const ids = await c.post('counter', 'increment', {}, { count: 20 });
  expect(ids).toHaveLength(20);
  await c.waitProcessed(ids);
  const at = await c.expectConverged();

  // Every member answers the view from its own state, and stored each request exactly once.
  for (const m of c.members) {
    expect((await c.callView('counter', 'getCounter', {}, { member: m.index })).counter, `counter in ${m.name}`).toBe('20');
    const audit = await c.audit(m.index);
    expect(audit.stateHash).toBe(at.stateHash);
    expect(audit.duplicates).toBe(0);
  }
});
