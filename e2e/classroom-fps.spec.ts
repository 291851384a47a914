import { writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';

/**
 * Frame rate of the classroom while it plays, in Chromium, by counting requestAnimationFrame callbacks
 * (N = 4 and N = 7, at 1× and 10×). Also how far the view time moved (the worker must keep up). Writes
 * test-results/classroom-fps.json; docs/classroom.md quotes the numbers.
 */
const MEASURE_MS = 4_000;

test('classroom frame rate at N=4 and N=7', async ({ page }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1280, height: 720 });
  const rows: { n: number; speed: number; fps: number; worstFrameMs: number; virtualMsPerWallS: number }[] = [];
  for (const n of [4, 7]) {
    await page.goto('about:blank');
    await page.goto(`/#/classroom?seed=42&n=${n}`);
    await expect(page.getByTestId(`member-${n - 1}`)).toBeVisible({ timeout: 30_000 });
    for (const speed of [1, 10]) {
      await page.evaluate((s) => (window as unknown as { __classroom: { setSpeed(x: number): void; setPlaying(p: boolean): void } }).__classroom.setSpeed(s), speed);
      await page.getByTestId('play').click();
      const r = await page.evaluate(async (ms) => {
        const store = (window as unknown as { __classroom: { viewMs: number } }).__classroom;
        const v0 = store.viewMs;
        let frames = 0;
        let worst = 0;
        let last = performance.now();
        const t0 = last;
        await new Promise<void>((done) => {
          const f = (now: number): void => {
            frames++;
            worst = Math.max(worst, now - last);
            last = now;
            if (now - t0 < ms) requestAnimationFrame(f);
            else done();
          };
          requestAnimationFrame(f);
        });
        const wall = performance.now() - t0;
        return { fps: (frames * 1000) / wall, worstFrameMs: worst, virtualMsPerWallS: ((store.viewMs - v0) * 1000) / wall };
      }, MEASURE_MS);
      await page.getByTestId('play').click();
      rows.push({ n, speed, fps: Math.round(r.fps * 10) / 10, worstFrameMs: Math.round(r.worstFrameMs), virtualMsPerWallS: Math.round(r.virtualMsPerWallS) });
      expect(r.fps).toBeGreaterThan(10);
    }
  }
  console.log(JSON.stringify(rows, null, 1));
  writeFileSync('test-results/classroom-fps.json', JSON.stringify(rows, null, 1));
});
