import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';

/** How long the mesh may take to form in CI on 2 shared cores (prototype: ~6 s for 4 tabs). */
export const MESH_TIMEOUT_MS = 60_000;

export interface NodeTab {
  readonly name: string;
  page: Page;
  nodeId: string;
}

export interface Nodes {
  readonly context: BrowserContext;
  readonly tabs: NodeTab[];
  /** Opens (or reopens after close) the tab of node `name`; waits until its node runs. */
  open(name: string): Promise<NodeTab>;
  close(): Promise<void>;
}

/**
 * Opens N tabs, each its own node (`?node=<prefix><i>`), in ONE browser context (as a user's tabs are: shared
 * origin storage and Web Locks, separate sessionStorage). Collects console errors for the test's report.
 */
export async function openNodes(browser: Browser, n: number, prefix = 'n', baseURL?: string): Promise<Nodes> {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'], ...(baseURL ? { baseURL } : {}) });
  const tabs: NodeTab[] = [];
  const open = async (name: string): Promise<NodeTab> => {
    const page = await context.newPage();
    page.on('pageerror', (e) => console.log(`[${name}] page error: ${e.message}`));
    await page.goto(`/?node=${name}`);
    await expect(page.getByTestId('status')).toHaveAttribute('data-phase', 'running', { timeout: MESH_TIMEOUT_MS });
    const nodeId = (await page.getByTestId('node-id').getAttribute('data-node-id')) as string;
    const existing = tabs.find((t) => t.name === name);
    if (existing) {
      existing.page = page;
      existing.nodeId = nodeId;
      return existing;
    }
    const tab = { name, page, nodeId };
    tabs.push(tab);
    return tab;
  };
  // Open the tabs concurrently: the mesh time we assert is the time for all of them together.
  await Promise.all(Array.from({ length: n }, (_, i) => open(`${prefix}${i + 1}`)));
  tabs.sort((a, b) => a.name.localeCompare(b.name));
  return { context, tabs, open, close: () => context.close() };
}

/** Waits until every given tab shows all the others as direct WebRTC peers with the peering link up. */
export async function waitForDirectMesh(tabs: readonly NodeTab[], timeoutMs = MESH_TIMEOUT_MS): Promise<void> {
  const others = tabs.length - 1;
  await Promise.all(
    tabs.map(async (t) => {
      await expect(t.page.getByTestId('peer-count')).toHaveAttribute('data-direct', String(others), { timeout: timeoutMs });
      await expect(t.page.locator('[data-testid="peer-row"][data-up="true"]')).toHaveCount(others, { timeout: timeoutMs });
    }),
  );
}

/** Waits until every tab sees the others with the peering link up (direct or relayed). */
export async function waitForPeering(tabs: readonly NodeTab[], timeoutMs = MESH_TIMEOUT_MS): Promise<void> {
  await Promise.all(tabs.map((t) => expect(t.page.locator('[data-testid="peer-row"][data-up="true"]')).toHaveCount(tabs.length - 1, { timeout: timeoutMs })));
}
