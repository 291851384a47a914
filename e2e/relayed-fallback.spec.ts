import { test, expect } from './test';
import { openNodes, type NodeTab } from './fixtures';
import { CHAIN_TIMEOUT_MS, command, createChainByClicking, waitConverged } from './chain-helpers';

/** Both tabs of the pair refuse a direct WebRTC link to each other (test hook), so it must run relayed via the hub. */
async function blockDirect(a: NodeTab, b: NodeTab): Promise<void> {
  for (const [self, other] of [
    [a, b],
    [b, a],
  ] as const) {
    await self.page.evaluate((id) => {
      const net = window.__iscp?.net;
      if (!net) throw new Error('no net');
      net.blockDirect(id);
    }, other.nodeId);
  }
}

test('a pair without WebRTC stays relayed through the hub: the dashboard says so, and DKG and consensus (T = N = 3) run over it', async ({ browser, hub }) => {
  const nodes = await openNodes(browser, 3, 'f', hub.baseURL);
  const [f1, f2, f3] = nodes.tabs as [NodeTab, NodeTab, NodeTab];
  await blockDirect(f1, f2);

  // f1 ↔ f2 relayed with the peering link up; both have a direct link to f3.
  for (const [self, other] of [
    [f1, f2],
    [f2, f1],
  ] as const) {
    const row = self.page.locator(`[data-testid="peer-row"][data-node-id="${other.nodeId}"]`);
    await expect(row).toHaveAttribute('data-kind', 'relayed', { timeout: 60_000 });
    await expect(row).toHaveAttribute('data-up', 'true', { timeout: 60_000 });
    await expect(row).toContainText('relayed via hub');
    await expect(self.page.locator(`[data-testid="peer-row"][data-node-id="${f3.nodeId}"]`)).toHaveAttribute('data-kind', 'direct', { timeout: 60_000 });
  }
  await expect(f3.page.getByTestId('peer-count')).toHaveAttribute('data-direct', '2', { timeout: 60_000 });

  // T = N = 3: the DKG needs every pair's deals (f1 ↔ f2 included), every block needs all three signatures.
  const chain = await createChainByClicking(f1, 3);
  await waitConverged(nodes.tabs, chain);
  for (let i = 1; i <= 3; i++) {
    const r = await command<{ requestIds: string[] }>(f2.page, { kind: 'deposit', chain, amount: 10 * i });
    await Promise.all(nodes.tabs.map((t) => command(t.page, { kind: 'waitProcessed', chain, requestIds: r.requestIds })));
  }
  const final = await waitConverged(nodes.tabs, chain, 2);
  const views = await Promise.all(nodes.tabs.map((t) => command<{ result: Record<string, string> }>(t.page, { kind: 'callView', chain, contract: 'accounts', view: 'totalAssets', params: {} })));
  expect(Object.keys(views[0]?.result ?? {}).length).toBeGreaterThan(0);
  for (const v of views) expect(v).toEqual(views[0]);
  // Still relayed at the end (nothing upgraded it behind the test's back), and every committee member is up.
  await expect(f1.page.locator(`[data-testid="peer-row"][data-node-id="${f2.nodeId}"]`)).toHaveAttribute('data-kind', 'relayed');
  for (const t of nodes.tabs) await expect(t.page.locator('[data-testid="committee-member"][data-up="true"]')).toHaveCount(3, { timeout: CHAIN_TIMEOUT_MS });
  console.log(`relayed pair f1–f2: chain converged at block #${final.blockIndex}`);
  await nodes.close();
});
