import { test, expect } from './test';
import { openNodes, waitForDirectMesh } from './fixtures';

test('4 tabs form a direct WebRTC mesh and a peering message round-trips between every pair', async ({ browser, hub }) => {
  const t0 = Date.now();
  const nodes = await openNodes(browser, 4, 'n', hub.baseURL);
  await waitForDirectMesh(nodes.tabs);
  const meshMs = Date.now() - t0;
  console.log(`mesh of 4 formed ${meshMs} ms after the first tab started loading`);

  for (const tab of nodes.tabs) {
    // Every other node, by its node ID, as a direct peer with the peering link up — read from this tab's DOM.
    for (const other of nodes.tabs.filter((o) => o !== tab)) {
      const row = tab.page.locator(`[data-testid="peer-row"][data-node-id="${other.nodeId}"]`);
      await expect(row).toHaveAttribute('data-kind', 'direct');
      await expect(row).toHaveAttribute('data-up', 'true', { timeout: 30_000 }); // peering hello follows the direct link
      await expect(row).toHaveAttribute('data-name', other.name);
    }
    // An echo frame goes out on this tab's peering stream and comes back on the peer's: from every tab to every peer.
    const rtts = await tab.page.evaluate(async (ids) => {
      const net = window.__iscp?.net;
      if (!net) throw new Error('no net');
      const out: number[] = [];
      for (const id of ids) out.push(await net.echo(id));
      return out;
    }, nodes.tabs.filter((o) => o !== tab).map((o) => o.nodeId));
    expect(rtts).toHaveLength(3);
    for (const ms of rtts) expect(ms).toBeGreaterThan(0);
    console.log(`${tab.name}: peering RTT ${rtts.map((x) => x.toFixed(1)).join(' / ')} ms`);
  }
  await nodes.close();
});

test('a second tab with the same node name is refused with a clear message', async ({ browser, hub }) => {
  const nodes = await openNodes(browser, 1, 'solo', hub.baseURL);
  const dup = await nodes.context.newPage();
  await dup.goto('/?node=solo1');
  await expect(dup.getByTestId('status')).toHaveAttribute('data-phase', 'locked-elsewhere');
  await expect(dup.getByTestId('error')).toContainText('already running in another tab');
  await nodes.close();
});
