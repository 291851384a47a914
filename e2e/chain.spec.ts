import { readFileSync } from 'node:fs';
import { test, expect, type Page } from '@playwright/test';
import { openNodes, waitForDirectMesh, type NodeTab } from './fixtures';

const COUNTER_WASM = 'contracts/build/counter.wasm';
const CHAIN_TIMEOUT_MS = 90_000;

/** Creates a chain through the dashboard of `creator` with every other tab as a member, quorum t. */
export async function createChainByClicking(creator: NodeTab, t: number): Promise<string> {
  const page = creator.page;
  const boxes = page.getByTestId('member-checkbox');
  for (let i = 0; i < (await boxes.count()); i++) await boxes.nth(i).check();
  await page.getByTestId('quorum').fill(String(t));
  await page.getByTestId('create-chain-button').click();
  await expect(page.getByTestId('create-chain-result')).toHaveAttribute('data-ok', 'true', { timeout: CHAIN_TIMEOUT_MS });
  return (await page.getByTestId('chain').first().getAttribute('data-chain')) as string;
}

async function chainFacts(page: Page, chain: string) {
  const el = page.locator(`[data-testid="chain"][data-chain="${chain}"]`);
  return { blockIndex: Number(await el.getAttribute('data-block-index')), stateHash: (await el.getAttribute('data-state-hash')) as string, backlog: Number(await el.getAttribute('data-backlog')) };
}

async function command<T>(page: Page, c: unknown): Promise<T> {
  return page.evaluate(async (cmd) => {
    const h = window.__iscp;
    if (!h) throw new Error('no host');
    return (await h.command(cmd as Parameters<typeof h.command>[0])) as unknown;
  }, c) as Promise<T>;
}

/** Waits until every tab shows the chain at the same block index and state hash with an empty backlog. */
async function waitConverged(tabs: readonly NodeTab[], chain: string, timeoutMs = CHAIN_TIMEOUT_MS): Promise<{ blockIndex: number; stateHash: string }> {
  let facts: { blockIndex: number; stateHash: string; backlog: number }[] = [];
  await expect
    .poll(
      async () => {
        facts = await Promise.all(tabs.map((t) => chainFacts(t.page, chain)));
        const f0 = facts[0];
        return !!f0 && f0.blockIndex > 0 && facts.every((f) => f.blockIndex === f0.blockIndex && f.stateHash === f0.stateHash && f.backlog === 0);
      },
      { timeout: timeoutMs, intervals: [250] },
    )
    .toBe(true);
  return { blockIndex: (facts[0] as { blockIndex: number }).blockIndex, stateHash: (facts[0] as { stateHash: string }).stateHash };
}

test('4 tabs form a committee (T=3) by clicking, deploy counter.wasm, 100 requests: every tab agrees, counter = 100, each request once', async ({ browser }) => {
  const nodes = await openNodes(browser, 4, 'c');
  await waitForDirectMesh(nodes.tabs);
  const [creator] = nodes.tabs as [NodeTab];
  const chain = await createChainByClicking(creator, 3);
  for (const tab of nodes.tabs) await expect(tab.page.locator(`[data-testid="chain"][data-chain="${chain}"]`)).toBeVisible({ timeout: CHAIN_TIMEOUT_MS });
  await waitConverged(nodes.tabs, chain);

  // Upload and deploy the counter through the wallet UI of the creator.
  await creator.page.getByTestId('wasm-file').setInputFiles(COUNTER_WASM);
  await creator.page.getByTestId('wasm-name').fill('counter');
  await creator.page.getByTestId('deploy-wasm-button').click();
  await expect(creator.page.getByTestId('wallet-result')).toHaveAttribute('data-ok', 'true', { timeout: CHAIN_TIMEOUT_MS });
  expect(readFileSync(COUNTER_WASM).length).toBeGreaterThan(0);

  // 100 requests from the second tab's wallet (through the page's test hook).
  const posted = await command<{ requestIds: string[] }>((nodes.tabs[1] as NodeTab).page, { kind: 'postMany', chain, contract: 'counter', entryPoint: 'increment', params: {}, count: 100 });
  expect(posted.requestIds).toHaveLength(100);
  const final = await waitConverged(nodes.tabs, chain);
  console.log(`converged at block #${final.blockIndex}, state ${final.stateHash.slice(0, 12)}`);

  for (const tab of nodes.tabs) {
    const view = await command<{ result: Record<string, string> }>(tab.page, { kind: 'callView', chain, contract: 'counter', view: 'getCounter', params: {} });
    expect(view.result.counter).toBe('100');
    const audit = await command<{ blockIndex: number; stateHash: string; requests: number; duplicates: number }>(tab.page, { kind: 'audit', chain });
    expect(audit.blockIndex).toBe(final.blockIndex);
    expect(audit.stateHash).toBe(final.stateHash);
    expect(audit.duplicates).toBe(0);
    // root.init + blob.storeBlob + root.deployContract + 100 increments
    expect(audit.requests).toBe(103);
  }
  await nodes.close();
});
