import { test, expect } from './test';
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

test('a member tab closes mid-stream: the other three go on; reopened with the same name it catches up and rejoins; a reload during a round loses nothing', async ({ browser, hub }) => {
  const nodes = await openNodes(browser, 4, 'r', hub.baseURL);
  await waitForPeering(nodes.tabs);
  const [creator, poster, reloaded, leaver] = nodes.tabs as [NodeTab, NodeTab, NodeTab, NodeTab];
  const chain = await createChainByClicking(creator, 3);
  await waitConverged(nodes.tabs, chain);
  await deployWasmByClicking(creator, COUNTER_WASM, 'counter');

  // Close one member while 30 requests are being processed.
  const batch1 = command(poster.page, { kind: 'postMany', chain, contract: 'counter', entryPoint: 'increment', params: {}, count: 30 });
  await leaver.page.close();
  await batch1;
  const stay = [creator, poster, reloaded];
  const afterClose = await waitConverged(stay, chain);
  // ...and the three keep producing blocks.
  await command(poster.page, { kind: 'postMany', chain, contract: 'counter', entryPoint: 'increment', params: {}, count: 20 });
  const moved = await waitConverged(stay, chain, afterClose.blockIndex + 1);
  expect(moved.blockIndex).toBeGreaterThan(afterClose.blockIndex);

  // Reopen the closed node (same ?node= name → same key and IndexedDB): it restores the chain and syncs.
  await nodes.open(leaver.name);
  await waitForPeering(nodes.tabs);
  await waitConverged(nodes.tabs, chain, moved.blockIndex);

  // Reload a member in the middle of a round.
  const batch2 = command(poster.page, { kind: 'postMany', chain, contract: 'counter', entryPoint: 'increment', params: {}, count: 25 });
  await reloaded.page.waitForTimeout(300);
  await reloaded.page.reload();
  await expect(reloaded.page.getByTestId('status')).toHaveAttribute('data-phase', 'running', { timeout: 60_000 });
  await batch2;
  await waitForPeering(nodes.tabs);
  const final = await waitConverged(nodes.tabs, chain);
  await expectCounterEverywhere(nodes.tabs, chain, 75, SETUP_REQUESTS + 75, final);
  await nodes.close();
});
