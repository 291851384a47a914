import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { test, expect } from './test';
import { openNodes, waitForPeering, type NodeTab } from './fixtures';
import { command, COUNTER_WASM, createChainByClicking, waitConverged } from './chain-helpers';
import { addressBytes, addressFromString, toHex } from '../src/protocol';

/** Deploys a wasm program on `chain` through the tab's node (the dashboard's deploy, with the chain named). */
async function deployOn(page: Page, chain: string, name: string, program: Uint8Array): Promise<void> {
  await page.evaluate(
    async ({ chain, name, bytes }) => {
      const h = window.__iscp;
      if (!h) throw new Error('no host');
      await h.command({ kind: 'deployWasm', chain, name, description: name, program: new Uint8Array(bytes) });
    },
    { chain, name, bytes: [...program] },
  );
}

const counterIn = async (tab: NodeTab, chain: string): Promise<string | undefined> =>
  (await command<{ result: Record<string, string> }>(tab.page, { kind: 'callView', chain, contract: 'counter', view: 'getCounter', params: {} })).result.counter;

test('two chains on one committee of 4 tabs: the counter on chain A posts to chain B; both chains advance in every tab and B counts it once', async ({ browser, hub }) => {
  const nodes = await openNodes(browser, 4, 'x', hub.baseURL);
  await waitForPeering(nodes.tabs);
  const [creatorA, creatorB, poster] = nodes.tabs as [NodeTab, NodeTab, NodeTab];
  const a = await createChainByClicking(creatorA, 3);
  await waitConverged(nodes.tabs, a);
  const created = await command<{ kind: string; chain: string }>(creatorB.page, { kind: 'createChain', memberNodeIds: nodes.tabs.map((t) => t.nodeId), t: 3, description: 'chain B' });
  const b = created.chain;
  expect(b).not.toBe(a);
  await waitConverged(nodes.tabs, b);

  const counter = new Uint8Array(readFileSync(COUNTER_WASM));
  await deployOn(creatorA.page, a, 'counter', counter);
  await deployOn(creatorB.page, b, 'counter', counter);
  const atA = await waitConverged(nodes.tabs, a);
  const atB = await waitConverged(nodes.tabs, b);

  // counter.incrementOn on A: A's counter contract posts counter.increment(n = 5) to chain B (1 IOTA for its token).
  const chainB = `hex:${toHex(addressBytes(addressFromString(b)))}`;
  await command(poster.page, { kind: 'postRequest', chain: a, contract: 'counter', entryPoint: 'incrementOn', params: { chain: chainB, n: '5' }, transfer: 1 });
  await waitConverged(nodes.tabs, a, atA.blockIndex + 1);
  await expect.poll(async () => Promise.all(nodes.tabs.map((t) => counterIn(t, b))), { timeout: 90_000 }).toEqual(['5', '5', '5', '5']);
  await waitConverged(nodes.tabs, b, atB.blockIndex + 1);
  for (const tab of nodes.tabs) expect(await counterIn(tab, a), `counter on A in ${tab.name}`).toBe('0');
  // And back: B's counter posts to A, which advances again in every tab.
  const now = await waitConverged(nodes.tabs, a);
  const chainA = `hex:${toHex(addressBytes(addressFromString(a)))}`;
  await command(poster.page, { kind: 'postRequest', chain: b, contract: 'counter', entryPoint: 'incrementOn', params: { chain: chainA, n: '2' }, transfer: 1 });
  await expect.poll(async () => Promise.all(nodes.tabs.map((t) => counterIn(t, a))), { timeout: 90_000 }).toEqual(['2', '2', '2', '2']);
  await waitConverged(nodes.tabs, a, now.blockIndex + 1);
  for (const tab of nodes.tabs) expect(await counterIn(tab, b)).toBe('5');
  await nodes.close();
});
