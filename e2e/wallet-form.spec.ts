import { test, expect } from '../kit/playwright.ts';
import { COUNTER_WASM } from './chain-helpers';

/**
 * The wallet form as a demo giver uses it (issue #18): every box labelled, N requests in one click, a steady-rate
 * generator with progress, view results as fields, nothing under 11 px.
 */
test('wallet form: labelled boxes, post N at once, a steady rate with progress, view results as fields', async ({ committee }) => {
  const c = await committee({ n: 2, t: 2, namePrefix: 'w' });
  await c.deployContract(COUNTER_WASM, 'counter');
  const page = c.member(0).page;
  const wallet = page.getByTestId('wallet');

  // Every input and select sits in a label with visible text.
  const unlabelled = await wallet.locator('input, select').evaluateAll((els) =>
    els.filter((el) => !(el.closest('label')?.textContent ?? '').replace((el as HTMLInputElement).value ?? '', '').trim()).map((el) => el.getAttribute('data-testid')),
  );
  expect(unlabelled).toEqual([]);
  for (const name of ['contract', 'entry point', 'params', 'transfer', 'count', 'steady rate (requests/s)', 'view', 'deposit (iotas)']) {
    await expect(wallet.locator('label', { hasText: name }).first()).toBeVisible();
  }
  const smallest = await wallet.locator('*').evaluateAll((els) => Math.min(...els.filter((e) => (e as HTMLElement).offsetParent !== null && e.textContent?.trim()).map((e) => parseFloat(getComputedStyle(e).fontSize))));
  expect(smallest).toBeGreaterThanOrEqual(11);

  // 30 increments in one click.
  await page.getByTestId('req-count').fill('30');
  await page.getByTestId('post-request-button').click();
  await expect(page.getByTestId('wallet-result')).toHaveAttribute('data-ok', 'true', { timeout: 60_000 });
  await expect(page.getByTestId('wallet-result')).toContainText('Posted 30 requests');

  // 20 requests/s for 2 s: progress reaches 40 / 40 and says done.
  await page.getByTestId('load-rate').fill('20');
  await page.getByTestId('load-seconds').fill('2');
  await page.getByTestId('load-start').click();
  const progress = page.getByTestId('load-progress');
  await expect(progress).toHaveAttribute('data-total', '40');
  await expect(progress).toHaveAttribute('data-running', 'false', { timeout: 60_000 });
  await expect(progress).toHaveAttribute('data-posted', '40');
  await expect(progress).toContainText('40 / 40 posted, done');

  // The view, once all 70 are in, shows its result as a field (not JSON).
  await expect
    .poll(async () => (await c.callView('counter', 'getCounter', {}, { member: 1 })).counter, { timeout: 60_000 })
    .toBe('70');
  await page.getByTestId('call-view-button').click();
  await expect(page.locator('[data-testid="result-field"][data-key="counter"] dd')).toHaveText('70', { timeout: 30_000 });
  await expect(page.getByTestId('wallet-result')).not.toContainText('{');
  // A bad rate is refused with a message, nothing posted.
  await page.getByTestId('load-rate').fill('0');
  await page.getByTestId('load-start').click();
  await expect(page.getByTestId('wallet-result')).toContainText(/rate must be more than 0/i);
});
