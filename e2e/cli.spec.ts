import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from './test';
import { openNodes, waitForPeering } from './fixtures';
import { CHAIN_TIMEOUT_MS, COUNTER_WASM, command, iscpIn, waitConverged } from './chain-helpers';

const GUESTBOOK = join(process.cwd(), 'contracts/fixtures/guestbook.ts');

test('the CLI deploys a chain on 4 tabs (it initiates, they are the committee), deploys the counter and increments it: every tab shows the chain and counter = 1', async ({ browser, hub }) => {
  test.setTimeout(480_000);
  const dir = mkdtempSync(join(tmpdir(), 'iscp-e2e-cli-'));
  try {
    const nodes = await openNodes(browser, 4, 'k', hub.baseURL);
    await waitForPeering(nodes.tabs);

    expect((await iscpIn(hub.baseURL, dir, 'wallet', 'new')).code).toBe(0);
    expect((await iscpIn(hub.baseURL, dir, 'request-funds')).code).toBe(0);
    const deploy = await iscpIn(hub.baseURL, dir, 'chain', 'deploy', '--committee', nodes.tabs.map((t) => t.name).join(','), '--quorum', '3', '--description', 'from the CLI', '--peer-wait-ms', '90000');
    expect(deploy.stderr).toBe('');
    expect(deploy.code).toBe(0);
    const chain = (JSON.parse(readFileSync(join(dir, 'chains.json'), 'utf8')) as { default: string }).default;
    for (const tab of nodes.tabs) await expect(tab.page.locator(`[data-testid="chain"][data-chain="${chain}"]`)).toBeVisible({ timeout: CHAIN_TIMEOUT_MS });
    await waitConverged(nodes.tabs, chain, 1);

    const dc = await iscpIn(hub.baseURL, dir, 'chain', 'deploy-contract', 'counter', join(process.cwd(), COUNTER_WASM));
    expect(dc.stderr).toBe('');
    const post = await iscpIn(hub.baseURL, dir, 'chain', 'post-request', 'counter', 'increment');
    expect(post.stderr).toBe('');
    expect(post.stdout).toMatch(/processed in block #\d+/);
    const view = await iscpIn(hub.baseURL, dir, 'chain', 'call-view', 'counter', 'getCounter');
    expect(view.stdout).toBe('counter: 1\n');
    await waitConverged(nodes.tabs, chain, 3);
    for (const tab of nodes.tabs) {
      const v = await command<{ result: Record<string, string> }>(tab.page, { kind: 'callView', chain, contract: 'counter', view: 'getCounter', params: {} });
      expect(v.result.counter, `counter in ${tab.name}`).toBe('1');
    }

    // A contract author's own file, in a folder outside the repository: built, deployed and used on the tabs.
    copyFileSync(GUESTBOOK, join(dir, 'guestbook.ts'));
    const build = await iscpIn(hub.baseURL, dir, 'contract', 'build', 'guestbook.ts');
    expect(build.stderr).toBe('');
    expect(build.stdout).toContain('entry points: erase, sign');
    expect((await iscpIn(hub.baseURL, dir, 'chain', 'deploy-contract', 'guestbook', 'guestbook.wasm')).stderr).toBe('');
    const signed = await iscpIn(hub.baseURL, dir, 'chain', 'post-request', 'guestbook', 'sign', 'id=ada', 'text=str:first');
    expect(signed.stderr).toBe('');
    expect(signed.stdout).toMatch(/processed in block #\d+/);
    const listed = await iscpIn(hub.baseURL, dir, 'chain', 'call-view', 'guestbook', 'list');
    expect(listed.stdout).toContain('ids: ada');
    await waitConverged(nodes.tabs, chain, 5);
    for (const tab of nodes.tabs) {
      const v = await command<{ result: Record<string, string> }>(tab.page, { kind: 'callView', chain, contract: 'guestbook', view: 'list', params: {} });
      expect(v.result.ids, `guestbook in ${tab.name}`).toBe('ada');
    }
    await nodes.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
