import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from './test';
import { openNodes } from './fixtures';
import { CHAIN_TIMEOUT_MS, COUNTER_WASM, chainFacts, command, iscpIn } from './chain-helpers';
import { lastBlock, NodeProcess } from '../test/node-process';

test('a committee of two tabs and two headless node processes: deployed by the CLI, requests processed, one tab closed and the other three go on', async ({ browser, hub }) => {
  test.setTimeout(420_000);
  const dir = mkdtempSync(join(tmpdir(), 'iscp-e2e-mixed-'));
  const procs = ['p1', 'p2'].map((name) => new NodeProcess(name, hub.baseURL, dir));
  try {
    const nodes = await openNodes(browser, 2, 'm', hub.baseURL);
    await Promise.all(procs.map((p) => p.waitFor(/^node p\d ready: /, 90_000)));
    // Every tab sees the other tab and both processes with the peering link up (relayed: Node has no WebRTC).
    for (const tab of nodes.tabs) {
      for (const other of ['m1', 'm2', 'p1', 'p2'].filter((n) => n !== tab.name)) {
        await expect(tab.page.locator(`[data-testid="peer-row"][data-up="true"][data-name="${other}"]`), `${other} in ${tab.name}`).toHaveCount(1, { timeout: 90_000 });
      }
    }

    expect((await iscpIn(hub.baseURL, dir, 'wallet', 'new')).code).toBe(0);
    expect((await iscpIn(hub.baseURL, dir, 'request-funds')).stderr).toBe('');
    const deploy = await iscpIn(hub.baseURL, dir, 'chain', 'deploy', '--committee', 'm1,p1,m2,p2', '--quorum', '3', '--peer-wait-ms', '90000');
    expect(deploy.stderr).toBe('');
    const chain = (deploy.stdout.match(/^chain (\w+) deployed/m) as RegExpMatchArray)[1] as string;
    for (const tab of nodes.tabs) await expect(tab.page.locator(`[data-testid="chain"][data-chain="${chain}"]`)).toBeVisible({ timeout: CHAIN_TIMEOUT_MS });
    for (const [i, p] of procs.entries()) await p.waitFor(new RegExp(`Chain activated on this node \\(member ${2 * i + 1} of 4, quorum 3\\)`), 60_000);

    expect((await iscpIn(hub.baseURL, dir, 'chain', 'deploy-contract', 'counter', join(process.cwd(), COUNTER_WASM))).stderr).toBe('');
    const post = await iscpIn(hub.baseURL, dir, 'chain', 'post-request', 'counter', 'increment');
    expect(post.stderr).toBe('');
    const block = Number((post.stdout.match(/processed in block #(\d+)/) as RegExpMatchArray)[1]);

    // Tabs and processes hold the same state: every member at the same block with the same state hash.
    const agree = async (members: { tabs: typeof nodes.tabs; procs: NodeProcess[] }, minIndex: number): Promise<void> => {
      await expect
        .poll(
          async () => {
            const facts = await Promise.all(members.tabs.map((t) => chainFacts(t.page, chain)));
            const seen = [...facts.map((f) => `${f.blockIndex}/${f.stateHash.slice(0, 16)}`), ...members.procs.map((p) => (lastBlock(p) ?? [-1, '']).join('/'))];
            return seen.every((s) => s === seen[0]) && Number(seen[0]?.split('/')[0]) >= minIndex ? 'agree' : seen.join(' ');
          },
          { timeout: CHAIN_TIMEOUT_MS, intervals: [250] },
        )
        .toBe('agree');
    };
    await agree({ tabs: nodes.tabs, procs }, block);

    // Close a tab (a member gone for good): the other tab and the two processes are still a quorum of 3.
    await (nodes.tabs[1] as (typeof nodes.tabs)[number]).page.close();
    const again = await iscpIn(hub.baseURL, dir, 'chain', 'post-request', 'counter', 'increment');
    expect(again.stderr).toBe('');
    const block2 = Number((again.stdout.match(/processed in block #(\d+)/) as RegExpMatchArray)[1]);
    expect(block2).toBeGreaterThan(block);
    await agree({ tabs: nodes.tabs.slice(0, 1), procs }, block2);
    const view = await command<{ result: Record<string, string> }>((nodes.tabs[0] as (typeof nodes.tabs)[number]).page, { kind: 'callView', chain, contract: 'counter', view: 'getCounter', params: {} });
    expect(view.result.counter).toBe('2');
    expect((await iscpIn(hub.baseURL, dir, 'chain', 'call-view', 'counter', 'getCounter')).stdout).toBe('counter: 2\n');
    await nodes.close();
  } finally {
    for (const p of procs) p.kill('SIGINT');
    await Promise.all(procs.map((p) => p.exited));
    rmSync(dir, { recursive: true, force: true });
  }
});
