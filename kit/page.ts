import type { Page } from '@playwright/test';
import type { PeerFaultConfig, PeerFaultStats } from '../src/net/peer-faults.ts';
import type { CommandResult, NodeCommand } from '../src/worker/bridge.ts';
import type { WorkerByzantineKind } from '../src/worker/byzantine.ts';
import type { IscpPageApi, PageChain, PageStatus } from '../src/worker/page-api.ts';

/**
 * Typed calls into a tab's `window.iscp` (src/worker/page-api.ts). Each runs in the page, so each function body
 * below is self-contained (page.evaluate sends its source, not its closure).
 */
/** `window` as the page API types it: `(window as unknown as IscpWindow).iscp` inside page.evaluate. */
export type IscpWindow = { iscp?: IscpPageApi };

/** The page API version this kit speaks. */
export const KIT_PAGE_API_VERSION = 1;

/** Status, or undefined while the app has not created its node host yet. */
export function pageStatus(page: Page): Promise<(PageStatus & { readonly version: number }) | undefined> {
  return page.evaluate(() => {
    const api = (window as unknown as IscpWindow).iscp;
    return api ? { ...api.status(), version: api.version } : undefined;
  });
}

export function pageChain(page: Page, chain: string): Promise<PageChain | undefined> {
  return page.evaluate((id) => {
    const api = (window as unknown as IscpWindow).iscp;
    if (!api) throw new Error('window.iscp is missing: is this the dashboard route of the app?');
    return api.chain(id);
  }, chain);
}

export function pageCommand(page: Page, c: NodeCommand): Promise<CommandResult> {
  return page.evaluate((cmd) => {
    const api = (window as unknown as IscpWindow).iscp;
    if (!api) throw new Error('window.iscp is missing: is this the dashboard route of the app?');
    return api.command(cmd);
  }, c);
}

/** deployWasm with the program sent as base64 (page.evaluate arguments are JSON-like). */
export function pageDeployWasm(page: Page, chain: string, name: string, description: string, program: Uint8Array): Promise<CommandResult> {
  return page.evaluate(
    ({ chain, name, description, b64 }) => {
      const api = (window as unknown as IscpWindow).iscp;
      if (!api) throw new Error('window.iscp is missing');
      const bin = atob(b64);
      const programBytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
      return api.command({ kind: 'deployWasm', chain, name, description, program: programBytes });
    },
    { chain, name, description, b64: Buffer.from(program).toString('base64') },
  );
}

export function pageSetFaults(page: Page, config: PeerFaultConfig): Promise<void> {
  return page.evaluate((cfg) => {
    const api = (window as unknown as IscpWindow).iscp;
    if (!api) throw new Error('window.iscp is missing');
    api.faults.set(cfg);
  }, config);
}

export function pageFaultStats(page: Page): Promise<PeerFaultStats> {
  return page.evaluate(() => {
    const api = (window as unknown as IscpWindow).iscp;
    if (!api) throw new Error('window.iscp is missing');
    return api.faults.stats();
  });
}

export function pageByzantine(page: Page, kind: WorkerByzantineKind | null): Promise<void> {
  return page.evaluate((k) => {
    const api = (window as unknown as IscpWindow).iscp;
    if (!api) throw new Error('window.iscp is missing');
    return api.byzantine(k);
  }, kind);
}

/**
 * Polls `probe` every `everyMs` until it returns a value (not undefined), or throws after `timeoutMs` with
 * `label` and what `describe` says about the last probe (so a failed run can be read without a rerun).
 */
export async function until<T>(label: string, timeoutMs: number, probe: () => Promise<T | undefined>, describe: () => string = () => '', everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${label}${describe() ? ` — last seen: ${describe()}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
