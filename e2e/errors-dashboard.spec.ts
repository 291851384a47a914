import { test, expect } from './test';
import { openNodes, waitForPeering, type NodeTab } from './fixtures';
import { CHAIN_TIMEOUT_MS, command, COUNTER_WASM, createChainByClicking, deployWasmByClicking, MISBEHAVE_WASM, waitConverged } from './chain-helpers';

test('a bad parameter and an out-of-gas call are recorded errors, the chain goes on; the dashboard shows the backlog drained, the blocks that took the requests and their anchors', async ({ browser, hub }) => {
  const nodes = await openNodes(browser, 4, 'e', hub.baseURL);
  await waitForPeering(nodes.tabs);
  const [creator, poster] = nodes.tabs as [NodeTab, NodeTab];
  const chain = await createChainByClicking(creator, 3);
  await waitConverged(nodes.tabs, chain);
  await deployWasmByClicking(creator, COUNTER_WASM, 'counter');
  await deployWasmByClicking(creator, MISBEHAVE_WASM, 'misbehave');

  // Bad parameter, through the wallet form: n is text, increment wants a u64.
  const p = poster.page;
  await p.getByTestId('req-contract').fill('counter');
  await p.getByTestId('req-entrypoint').fill('increment');
  await p.getByTestId('req-params').fill('n=str:abc');
  await p.getByTestId('post-request-button').click();
  await expect(p.getByTestId('wallet-result')).toHaveAttribute('data-ok', 'true', { timeout: CHAIN_TIMEOUT_MS });
  // Out of gas: an endless loop is stopped by the gas meter.
  await p.getByTestId('req-contract').fill('misbehave');
  await p.getByTestId('req-entrypoint').fill('loopForever');
  await p.getByTestId('req-params').fill('');
  await p.getByTestId('post-request-button').click();
  await expect(p.getByTestId('wallet-result')).toHaveAttribute('data-ok', 'true', { timeout: CHAIN_TIMEOUT_MS });
  await expect(p.getByTestId('request-error')).toHaveCount(2, { timeout: CHAIN_TIMEOUT_MS });
  await expect(p.getByTestId('request-errors')).toContainText('counter.increment');
  await expect(p.getByTestId('request-errors')).toContainText(/gas/i);

  // The chain goes on: a good request after the bad ones, seen by every tab.
  const before = await waitConverged(nodes.tabs, chain);
  await command(p, { kind: 'postMany', chain, contract: 'counter', entryPoint: 'increment', params: {}, count: 40 });
  // The dashboard shows the backlog drained and the blocks that took the 40 requests (batched: the backlog may
  // fill and drain within one 200 ms dashboard snapshot, so its peak is not something a test can wait for).
  const after = await waitConverged(nodes.tabs, chain, before.blockIndex + 1);
  for (const tab of nodes.tabs) {
    await expect(tab.page.getByTestId('backlog')).toHaveAttribute('data-count', '0');
    await expect(tab.page.locator(`[data-testid="block-row"][data-index="${after.blockIndex}"]`)).toBeVisible();
    const rows = tab.page.locator('[data-testid="block-row"]');
    let taken = 0;
    for (let i = 0; i < (await rows.count()); i++) {
      const row = rows.nth(i);
      if (Number(await row.getAttribute('data-index')) > before.blockIndex) taken += Number(await row.getAttribute('data-requests'));
    }
    expect(taken, `requests in the blocks after #${before.blockIndex} in ${tab.name}`).toBe(40);
    await expect(tab.page.locator('[data-testid="anchor-row"][data-state="confirmed"]').first()).toBeVisible({ timeout: CHAIN_TIMEOUT_MS });
    const view = await command<{ result: Record<string, string> }>(tab.page, { kind: 'callView', chain, contract: 'counter', view: 'getCounter', params: {} });
    expect(view.result.counter).toBe('40');
  }
  await creator.page.setViewportSize({ width: 1280, height: 720 });
  await creator.page.screenshot({ path: test.info().outputPath('dashboard.png'), fullPage: true });
  await creator.page.screenshot({ path: 'test-results/dashboard.png', fullPage: true });
  await nodes.close();
});
