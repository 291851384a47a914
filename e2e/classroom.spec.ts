import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { expect, test, type Page } from '@playwright/test';

/**
 * The classroom (#/classroom): every guided tour runs in the page's worker; the facts each tour teaches are
 * read from the DOM and compared with the same engine run in Node (src/sim/classroom-facts.ts) and, for the
 * happy path, with Simulation.run's own final state hash. Nothing expected is hard-coded.
 */
interface TourFacts {
  id: string;
  finalBlock: number;
  finalStateHash: string;
  keyEvent: { timeMs: number; text: string } | null;
  crashedLeader?: number;
  leaderAfterCrash?: number;
  plainSimStateHash?: string;
}

const run = promisify(execFile);
const SEED = 42;
let factsP: Promise<TourFacts[]>;

test.beforeAll(() => {
  // Started once, awaited by each test: Node computes while the browser works.
  factsP = run('npx', ['tsx', 'src/sim/classroom-facts.ts', String(SEED)], { maxBuffer: 16 * 1024 * 1024 }).then((r) => JSON.parse(r.stdout) as TourFacts[]);
});

async function facts(id: string): Promise<TourFacts> {
  const f = (await factsP).find((x) => x.id === id);
  if (!f) throw new Error(`no facts for ${id}`);
  return f;
}

async function openTour(page: Page, tour: string): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 720 });
  // A fresh document per tour (a hash-only navigation would keep the page).
  await page.goto('about:blank');
  await page.goto(`/#/classroom?tour=${tour}&seed=${SEED}`);
  await expect(page.getByTestId('classroom')).toBeVisible();
  await expect(page.getByTestId('member-0')).toBeVisible({ timeout: 30_000 });
}

/** Moves the timeline (the range input) to `ms` and waits until the model has computed that far. */
async function seek(page: Page, ms: number): Promise<void> {
  await page.getByTestId('timeline').evaluate((el, v) => {
    const input = el as HTMLInputElement;
    // React listens for 'input': set the value the way a drag does.
    const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set;
    input.max = String(Math.max(Number(input.max), v));
    setter?.call(input, String(v));
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }, ms);
  await expect(page.getByTestId('view-time')).toHaveText(`${(ms / 1000).toFixed(3)} s`);
  await expect(page.getByTestId('model-time')).not.toContainText('computing', { timeout: 60_000 });
}

async function toEnd(page: Page): Promise<{ block: number; hash: string }> {
  await page.getByTestId('to-end').click();
  const hash = page.getByTestId('final-hash');
  await expect(hash).toBeVisible({ timeout: 90_000 });
  return { block: Number(await page.getByTestId('final-block').textContent()), hash: (await hash.getAttribute('title')) ?? '' };
}

test.beforeEach(({ page }) => {
  page.on('pageerror', (e) => console.log(`[classroom] page error: ${e.message}`));
});

test('happy path: picture mid-round, final block and state hash equal the Node simulator', async ({ page }) => {
  await openTour(page, 'happy-path');
  const f = await facts('happy-path');
  // Mid-round for block #2 (it commits at keyEvent): results and partial signatures on their way to the leader.
  await seek(page, (f.keyEvent?.timeMs ?? 700) - 150);
  await expect(page.locator('.cr-packet').first()).toBeVisible();
  mkdirSync('docs/img', { recursive: true });
  await page.screenshot({ path: 'test-results/classroom-mid-round.png' });
  copyFileSync('test-results/classroom-mid-round.png', 'docs/img/classroom.png');
  // The leader is drawn as such and the spec step legend follows the narration.
  const leader = await page.getByTestId('leader').textContent();
  await expect(page.getByTestId(`member-${leader}`)).toHaveAttribute('data-role', 'LEADER');
  await expect(page.locator('[data-testid=steps] li[data-on=yes]')).toHaveCount(1);
  const end = await toEnd(page);
  expect(end.block).toBe(f.finalBlock);
  expect(end.hash).toBe(f.plainSimStateHash);
  await expect(page.locator('[data-testid=block]').last()).toHaveAttribute('data-index', String(f.finalBlock));
});

test('leader crash: the next member in the permutation leads after the timeout', async ({ page }) => {
  await openTour(page, 'leader-crash');
  const f = await facts('leader-crash');
  await seek(page, (f.keyEvent?.timeMs ?? 0) + 20);
  await expect(page.getByTestId(`member-${f.crashedLeader}`)).toHaveAttribute('data-stage', 'down');
  await expect(page.getByTestId('leader')).toHaveText(String(f.leaderAfterCrash));
  await expect(page.getByTestId('narration')).toContainText(`rotating the leader from member ${f.crashedLeader}`);
  expect((await toEnd(page)).block).toBe(f.finalBlock);
});

test('bad partial signature: named as such, at step 11', async ({ page }) => {
  await openTour(page, 'bad-partial-sig');
  const f = await facts('bad-partial-sig');
  await seek(page, f.keyEvent?.timeMs ?? 0);
  const line = page.locator('[data-testid=narration] li[data-kind=evidence]').first();
  await expect(line).toContainText('bad partial signature from member 3');
  await expect(line).toHaveAttribute('data-step', '11');
  expect((await toEnd(page)).block).toBe(f.finalBlock);
});

test('L1 rejects an anchor; member falls behind and syncs; time-locked request; equivocating leader', async ({ page }) => {
  const checks: [string, RegExp][] = [
    ['anchor-rejected', /L1 rejected anchor/],
    ['member-syncs', /Synced from a peer/],
    ['time-locked', /time-locked for 1\.5 s/],
    ['equivocating-leader', /Evidence against member/],
  ];
  for (const [id, re] of checks) {
    await openTour(page, id);
    const f = await facts(id);
    await seek(page, f.keyEvent?.timeMs ?? 0);
    await expect(page.getByTestId('narration')).toContainText(re);
    const end = await toEnd(page);
    expect(end.block, id).toBe(f.finalBlock);
    expect(end.hash, id).toBe(f.finalStateHash);
  }
});

test('free play: the wasm counter contract and a DKG-deployed committee end where the Node engine does', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  for (const [id, testId] of [
    ['free-counter', 'workload'],
    ['free-dkg', 'dkg'],
  ] as const) {
    await page.goto('about:blank');
    await page.goto(`/#/classroom?seed=${SEED}&n=4`);
    await expect(page.getByTestId('member-3')).toBeVisible({ timeout: 30_000 });
    if (testId === 'workload') await page.getByTestId('workload').selectOption('counter');
    else await page.getByTestId('dkg').check();
    const f = await facts(id);
    const end = await toEnd(page);
    expect(end.block, id).toBe(f.finalBlock);
    expect(end.hash, id).toBe(f.finalStateHash);
  }
});

test('faults by clicking, keyboard, trace download and CLI trace replay', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(`/#/classroom?seed=${SEED}&n=4`);
  await expect(page.getByTestId('member-2')).toBeVisible({ timeout: 30_000 });
  // Keyboard: space plays and pauses, → steps one event.
  await page.locator('body').press(' ');
  await expect(page.getByTestId('play')).toContainText('pause');
  await page.locator('body').press(' ');
  await expect(page.getByTestId('play')).toContainText('play');
  await seek(page, 500);
  const before = await page.getByTestId('view-time').textContent();
  await page.locator('body').press('ArrowRight');
  await page.locator('body').press('ArrowDown');
  await expect(page.getByTestId('view-time')).not.toHaveText(before ?? '');
  // Crash member 2 by clicking: the fault joins the script and the model replays to the same moment.
  await page.getByTestId('member-2').click({ force: true });
  await page.getByTestId('fault-crash').click();
  await seek(page, 900);
  await expect(page.getByTestId('member-2')).toHaveAttribute('data-stage', 'down');
  // The URL now carries the script: opening it fresh replays the crash at the same moment.
  const shared = page.url();
  expect(shared).toContain('script=');
  await page.goto('about:blank');
  await page.goto(shared);
  await expect(page.getByTestId('member-2')).toBeVisible({ timeout: 30_000 });
  await seek(page, 900);
  await expect(page.getByTestId('member-2')).toHaveAttribute('data-stage', 'down');
  await expect(page.getByTestId('script-count')).toContainText('1 fault(s)');
  // Download our own trace.
  const dl = page.waitForEvent('download');
  await page.getByTestId('download-trace').click();
  const trace = JSON.parse(readFileSync((await (await dl).path()) ?? '', 'utf8')) as { format: string; scenario: { seed: number; faults: unknown[] } };
  expect(trace.format).toBe('iscp-classroom-trace/1');
  expect(trace.scenario.faults).toHaveLength(1);
  // A trace written by `npm run sim -- --trace` replays to the CLI's own final state hash.
  const cli = await run('npx', ['tsx', 'src/sim/cli.ts', '--seed', '5', '--n', '4', '--requests', '3', '--trace', 'test-results/classroom-cli-trace.json']);
  const cliHash = /final state hash ([0-9a-f]+)/.exec(cli.stdout)?.[1];
  expect(cliHash).toBeTruthy();
  await page.getByTestId('load-trace').setInputFiles('test-results/classroom-cli-trace.json');
  await expect(page.getByTestId('seed')).toHaveText('seed 5');
  expect((await toEnd(page)).hash).toBe(cliHash);
});

test('free play: requests added by clicking at the end are posted and committed, and carried in the URL', async ({ page }) => {
  await page.goto('/#/classroom?seed=7&n=4');
  await expect(page.getByTestId('member-2')).toBeVisible({ timeout: 30_000 });
  // Add requests by clicking at the end of the run: one, then a burst of five. The wallet posts them, the run goes
  // on and the committee commits more blocks; the URL's script carries them.
  const endBefore = await toEnd(page);
  await page.getByTestId('add-request').click();
  await page.getByTestId('burst').click();
  await page.getByTestId('to-end').click();
  // The replay with the added requests ends elsewhere (the old result stays on screen until it does).
  await expect(page.getByTestId('final-hash')).not.toHaveAttribute('title', endBefore.hash, { timeout: 90_000 });
  const endAfter = await toEnd(page);
  expect(endAfter.block).toBeGreaterThan(endBefore.block);
  const script = new URL(page.url().replace('#/', '')).searchParams.get('script') ?? '';
  const added = JSON.parse(Buffer.from(script.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString()) as { extraRequests: unknown[] };
  expect(added.extraRequests).toHaveLength(6);
});
