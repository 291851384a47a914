import { test, expect } from './test';
import { test as kit } from '../kit/playwright.ts';
import { openNodes, waitForPeering, type NodeTab } from './fixtures';
import { CHAIN_TIMEOUT_MS, command, COUNTER_WASM, createChainByClicking, deployWasmByClicking, expectCounterEverywhere, waitConverged } from './chain-helpers';

/** root.init + blob.storeBlob + root.deployContract */
const SETUP_REQUESTS = 3;

test('4 tabs form a committee (T=3) by clicking, deploy counter.wasm, 100 requests: every tab agrees, counter = 100, each request once', async ({ browser, hub }) => {
  const nodes = await openNodes(browser, 4, 'c', hub.baseURL);
  await waitForPeering(nodes.tabs);
  const [creator, poster] = nodes.tabs as [NodeTab, NodeTab];
  const chain = await createChainByClicking(creator, 3);
  for (const tab of nodes.tabs) await expect(tab.page.locator(`[data-testid="chain"][data-chain="${chain}"]`)).toBeVisible({ timeout: CHAIN_TIMEOUT_MS });
  await waitConverged(nodes.tabs, chain);
  await deployWasmByClicking(creator, COUNTER_WASM, 'counter');

  const posted = await command<{ requestIds: string[] }>(poster.page, { kind: 'postMany', chain, contract: 'counter', entryPoint: 'increment', params: {}, count: 100 });
  expect(posted.requestIds).toHaveLength(100);
  const final = await waitConverged(nodes.tabs, chain);
  console.log(`converged at block #${final.blockIndex}, state ${final.stateHash.slice(0, 12)}`);
  await expectCounterEverywhere(nodes.tabs, chain, 100, SETUP_REQUESTS + 100, final);
  await nodes.close();
});

// On the kit (kit/playwright.ts): the same committee a user's test gets, driven through the page API.
kit('a member tab closes mid-stream: the other three go on; reopened with the same name it catches up and rejoins; a reload during a round loses nothing', async ({ committee }) => {
  const c = await committee({ n: 4, t: 3, namePrefix: 'r' });
  await c.deployContract(COUNTER_WASM, 'counter');
  const [poster, reloaded, leaver] = [1, 2, 3] as const;

  // Close one member while 30 requests are being posted and processed.
  const batch1 = c.post('counter', 'increment', {}, { count: 30, from: poster });
  await c.kill(leaver);
  await c.waitProcessed(await batch1);
  const afterClose = await c.expectConverged();
  // ...and the three keep producing blocks.
  await c.waitProcessed(await c.post('counter', 'increment', {}, { count: 20, from: poster }));
  const moved = await c.expectConverged({ minBlockIndex: afterClose.blockIndex + 1 });
  expect(moved.blockIndex).toBeGreaterThan(afterClose.blockIndex);

  // Reopen the closed node (same ?node= name → same key and IndexedDB): it restores the chain and syncs.
  await c.restart(leaver);
  await c.expectConverged({ minBlockIndex: moved.blockIndex });

  // Reload a member while the next requests are in the committee's hands.
  const batch2 = await c.post('counter', 'increment', {}, { count: 25, from: poster });
  await c.reload(reloaded);
  await c.waitProcessed(batch2);
  const final = await c.expectConverged();
  for (const m of c.members) {
    expect((await c.callView('counter', 'getCounter', {}, { member: m.index })).counter, `counter in ${m.name}`).toBe('75');
    const audit = await c.audit(m.index);
    expect(audit.blockIndex, `block index in ${m.name}'s store`).toBe(final.blockIndex);
    expect(audit.stateHash).toBe(final.stateHash);
    expect(audit.duplicates, `duplicate requests in ${m.name}`).toBe(0);
    expect(audit.requests, `requests in ${m.name}'s blocks`).toBe(SETUP_REQUESTS + 75);
  }
});
