import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The @playwright/test module, typed by this package's copy. */
export type PlaywrightTest = typeof import('@playwright/test');

/**
 * @playwright/test refuses to be loaded twice, and a user's project has its own copy while this package (linked
 * with `file:` or installed) may resolve another. So the kit uses the copy the running test runner came from:
 * the `playwright` package already in the require cache (the runner and its workers load it before any test
 * file). Fallbacks: the project in the current directory, then this package's own dependency.
 */
export function loadPlaywrightTest(): PlaywrightTest {
  const req = createRequire(import.meta.url);
  const marker = `${sep}node_modules${sep}playwright${sep}lib${sep}`;
  const loaded = Object.keys(req.cache).find((k) => k.includes(marker));
  const candidates: string[] = [];
  if (loaded) candidates.push(join(loaded.slice(0, loaded.indexOf(marker) + marker.length - `lib${sep}`.length), 'package.json'));
  candidates.push(join(process.cwd(), 'package.json'));
  for (const from of candidates) {
    try {
      const r = createRequire(from);
      // The runner's own package: its `test` entry is what @playwright/test re-exports.
      return (from.endsWith(`${sep}playwright${sep}package.json`) ? r('./test.js') : r('@playwright/test')) as PlaywrightTest;
    } catch {
      // not resolvable from there: try the next
    }
  }
  return req('@playwright/test') as PlaywrightTest;
}

/** Directory of this package (the kit lives in <root>/kit). */
export const PACKAGE_ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
