import { test as base } from '@playwright/test';
import { startHub, type HubProcess } from './hub-process';

/** `test` with a private hub per test (kit/hub.ts says why). Use `hub.baseURL` when opening tabs. */
export const test = base.extend<{ hub: HubProcess }>({
  hub: async ({}, use) => {
    const hub = await startHub();
    await use(hub);
    await hub.stop();
  },
});
export { expect } from '@playwright/test';
