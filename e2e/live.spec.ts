import type { Locator } from '@playwright/test';
import { test, expect, type Member } from '../kit/playwright.ts';
import { CHAIN_TIMEOUT_MS, COUNTER_WASM } from './chain-helpers';

/** Extra single-request rounds at most, until every tab has been a non-leader once (leaders rotate by state hash). */
const EXTRA_ROUNDS_MAX = 8;

const panelOf = (tab: Member, chain: string): Locator => tab.page.locator(`[data-testid="live-consensus"][data-chain="${chain}"]`);
const receivedContext = (panel: Locator): Locator => panel.locator('[data-testid="live-line"][data-kind="computationContext"][data-direction="received"][data-step="6"]');

test("live consensus: each tab's dashboard draws the real committee from its own node — me, the leader, direct links, received context and anchor confirmation narrated by spec step", async ({ committee }) => {
  // The committee is set up through the kit (chain.spec.ts clicks the same steps); the dashboard is what is tested.
  const c = await committee({ n: 4, t: 3, namePrefix: 'l', directMesh: true });
  const chain = c.chainId;
  const creator = c.member(0);
  await c.deployContract(COUNTER_WASM, 'counter');
  let at = await c.expectConverged();

  // A tab that led every round so far has sent contexts but received none: run more rounds until each tab has.
  for (let round = 0; round < EXTRA_ROUNDS_MAX; round++) {
    const missing = [];
    for (const tab of c.members) if ((await receivedContext(panelOf(tab, chain)).count()) === 0) missing.push(tab.name);
    if (missing.length === 0) break;
    await c.post('counter', 'increment', {}, { from: 1 });
    at = await c.expectConverged({ minBlockIndex: at.blockIndex + 1 });
  }

  for (const tab of c.members) {
    const panel = panelOf(tab, chain);
    await expect(panel).toBeVisible();
    // This node's own member, drawn as "me".
    const myIndex = await panel.getAttribute('data-my-index');
    expect(myIndex, `${tab.name} is a member`).toMatch(/^\d$/);
    const me = panel.locator(`[data-testid="member-${myIndex}"]`);
    await expect(me).toHaveAttribute('data-self', 'true');
    await expect(me).toContainText('(me)');
    await expect(panel.locator('[data-self="true"]')).toHaveCount(1);
    // The leader this node knows, marked on the picture and equal to the chain card's committee table.
    await expect(panel).toHaveAttribute('data-leader', /^\d$/, { timeout: CHAIN_TIMEOUT_MS });
    const leader = await panel.getAttribute('data-leader');
    await expect(panel.locator(`[data-testid="member-${leader}"]`)).toHaveAttribute('data-role', 'LEADER');
    await expect(panel.locator('[data-role="LEADER"]')).toHaveCount(1);
    // Links to the three others: the mesh is direct, so all three are drawn as direct.
    await expect(panel.locator('[data-testid="link"][data-kind="direct"]')).toHaveCount(3);
    // Received messages, narrated with their step of the 14-step consensus.
    const ctx = receivedContext(panel).first();
    await expect(ctx, `${tab.name} received a computation context`).toBeVisible();
    await expect(ctx).toContainText('step 6: Context sent to all; leader runs the VM');
    await expect(ctx).toContainText(/leader #\d → me/);
    await expect(ctx).toContainText('computation context');
    await expect(ctx).toHaveAttribute('data-via', 'direct');
    const conf = panel.locator('[data-testid="live-line"][data-kind="anchorConfirmed"][data-direction="received"]').first();
    await expect(conf, `${tab.name} received an anchor confirmation`).toBeVisible();
    await expect(conf).toContainText('step 14: Anchor confirmed → commit block');
    await expect(conf).toContainText('L1 → me');
    await expect(conf).toContainText('Anchor confirmed: committed block #');
    // The stage shown is the node's own.
    await expect(panel.getByTestId('live-stage')).toHaveText(await tab.page.locator(`[data-testid="chain"][data-chain="${chain}"] [data-testid="round-stage"]`).innerText());
  }
  expect((await c.chainView(creator.index))?.blockIndex).toBe(at.blockIndex);
  // For a human look at the picture (kept with the test's results).
  await panelOf(creator, chain).screenshot({ path: test.info().outputPath('live-panel.png') });
});
