import { test, expect } from './test';

test('the classroom route runs without the tab node; switching to the dashboard starts it', async ({ page, hub }) => {
  await page.goto(`${hub.baseURL}/?node=route1#/classroom`);
  await expect(page.getByTestId('dkg')).toBeVisible({ timeout: 30_000 }); // the classroom rendered
  // No node host, no node worker, no libp2p connection to the hub.
  expect(await page.evaluate(() => window.__iscp === undefined)).toBe(true);
  expect(page.workers().some((w) => w.url().includes('node.worker'))).toBe(false);
  await page.evaluate(() => {
    location.hash = '#/';
  });
  await expect(page.getByTestId('status')).toHaveAttribute('data-phase', 'running', { timeout: 60_000 });
  expect(page.workers().some((w) => w.url().includes('node.worker'))).toBe(true);
});
