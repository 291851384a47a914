import { readFileSync, writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { SELFTEST_CONTRACTS, runSelftestWorkload, type SelftestReport, type SelftestWasm } from '../src/vm/selftest-workload';

/**
 * VM determinism across engines/threads: the #/selftest page runs the fixed workload (src/vm/selftest-workload.ts)
 * with runBatch in a Chromium module worker; this test process runs the same module in Node. Byte-identical
 * blocks, state hashes and gas on both sides means the digests (and the full reports) are equal. Nothing
 * expected is hard-coded: Node computes it here.
 */
function nodeReport(): SelftestReport {
  const wasm = Object.fromEntries(SELFTEST_CONTRACTS.map((c) => [c, new Uint8Array(readFileSync(`contracts/build/${c}.wasm`))])) as unknown as SelftestWasm;
  return runSelftestWorkload(wasm);
}

test('the VM self-test in a Chromium worker gives the same digest, blocks and gas as Node', async ({ page }) => {
  await page.goto('/#/selftest');
  await expect(page.getByTestId('selftest')).toBeVisible();
  const expected = nodeReport();
  await expect(page.getByTestId('selftest-status')).toHaveText(/done|error/, { timeout: 120_000 });
  await expect(page.getByTestId('selftest-error')).toHaveCount(0);

  const browser = JSON.parse((await page.getByTestId('selftest-json').textContent()) ?? '') as SelftestReport;
  // Full reports first: a mismatch then shows which block or request differs.
  expect(browser).toEqual(expected);
  await expect(page.getByTestId('selftest-digest')).toHaveText(expected.digest);
  await expect(page.getByTestId('selftest-state-hash')).toHaveText(expected.finalStateHash);
  await expect(page.getByTestId('selftest-repeat')).toHaveText('identical');
  await expect(page.getByTestId('selftest-fresh')).toHaveText('identical');
  await expect(page.getByTestId('selftest-request')).toHaveCount(expected.batches.reduce((n, b) => n + b.requests.length, 0));

  // The engine stack probe in the worker: worst-case frames at the full budget never hit the engine's limit.
  const stack = JSON.parse((await page.getByTestId('selftest-stack').textContent()) ?? '{}') as { fullDepth: string; nestedFullDepth: string; contractNestedFullDepth: string; engineFramesMax: number | null; policyFramesMax: number; headroom: number | null };
  expect(stack.fullDepth).toBe('ok');
  expect(stack.nestedFullDepth).toBe('ok');
  expect(stack.contractNestedFullDepth).toBe('ok');
  expect(stack.engineFramesMax === null || stack.engineFramesMax > stack.policyFramesMax).toBe(true);
  // In this test's own output folder (test-results/ is shared with other Playwright runs).
  writeFileSync(test.info().outputPath('vm-selftest.chromium.json'), JSON.stringify({ userAgent: await page.evaluate(() => navigator.userAgent), digest: browser.digest, stack }, null, 2));
  console.log(`vm selftest: digest ${browser.digest} (Node and Chromium worker equal); worker stack probe ${JSON.stringify(stack)}`);
});
