/**
 * `iscp-browser-committee/playwright`: Playwright's `test` with a `committee` fixture, and its `expect`.
 *
 *   import { test, expect } from 'iscp-browser-committee/playwright';
 *   test('counter', async ({ committee }) => {
 *     const c = await committee({ n: 4, t: 3 });
 *     await c.deployContract('counter.wasm', 'counter');
 *     await c.waitProcessed(await c.post('counter', 'increment', {}, { count: 10 }));
 *     expect((await c.callView('counter', 'getCounter')).counter).toBe('10');
 *   });
 *
 * Reference and tutorial: docs/testing.md.
 */
import { Committee, type CommitteeOptions } from './committee.ts';
import { loadPlaywrightTest } from './playwright-runtime.ts';

export { Committee } from './committee.ts';
export type { Audit, ChainFacts, CommitteeOptions, KitByzantineKind, Member, PostOptions } from './committee.ts';
export type { HubOptions, PrivateHub } from './hub.ts';
export { startPrivateHub } from './hub.ts';
export type { IscpPageApi, PageChain, PagePeer, PageStatus } from '../src/worker/page-api.ts';
export type { IscpWindow } from './page.ts';
export type { PeerFaultConfig, PeerFaultRule, PeerFaultStats } from '../src/net/peer-faults.ts';

/** Opens a committee (its own hub, N tabs, the chain created); closed at the end of the test. */
export type CommitteeFixture = (opts: CommitteeOptions) => Promise<Committee>;

export interface CommitteeFixtures {
  committee: CommitteeFixture;
}

const pw = loadPlaywrightTest();

export const test = pw.test.extend<CommitteeFixtures>({
  committee: async ({ browser }, use) => {
    const opened: Committee[] = [];
    await use(async (opts) => {
      const c = await Committee.open(browser, opts);
      opened.push(c);
      return c;
    });
    for (const c of opened) await c.close();
  },
});

export const expect = pw.expect;
