import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { expect, type Page } from '@playwright/test';
import { ISCP_BIN } from '../test/node-process';
import type { NodeTab } from './fixtures';

export const COUNTER_WASM = 'contracts/build/counter.wasm';
export const MISBEHAVE_WASM = 'contracts/build/misbehave.wasm';
export const CHAIN_TIMEOUT_MS = 90_000;

/** Creates a chain through the dashboard of `creator` with every other connected tab as a member, quorum t. */
export async function createChainByClicking(creator: NodeTab, t: number): Promise<string> {
  const page = creator.page;
  const boxes = page.getByTestId('member-checkbox');
  for (let i = 0; i < (await boxes.count()); i++) await boxes.nth(i).check();
  await page.getByTestId('quorum').fill(String(t));
  await page.getByTestId('create-chain-button').click();
  await expect(page.getByTestId('create-chain-result')).toHaveAttribute('data-ok', 'true', { timeout: CHAIN_TIMEOUT_MS });
  return (await page.getByTestId('chain').first().getAttribute('data-chain')) as string;
}

/** Uploads and deploys a wasm contract through the wallet UI. */
export async function deployWasmByClicking(tab: NodeTab, file: string, name: string): Promise<void> {
  await tab.page.getByTestId('wasm-file').setInputFiles(file);
  await tab.page.getByTestId('wasm-name').fill(name);
  await tab.page.getByTestId('deploy-wasm-button').click();
  await expect(tab.page.getByTestId('wallet-result')).toHaveAttribute('data-ok', 'true', { timeout: CHAIN_TIMEOUT_MS });
}

export interface ChainFacts {
  blockIndex: number;
  stateHash: string;
  backlog: number;
}

/** What this tab's DOM says about the chain. */
export async function chainFacts(page: Page, chain: string): Promise<ChainFacts> {
  const el = page.locator(`[data-testid="chain"][data-chain="${chain}"]`);
  if ((await el.count()) === 0) return { blockIndex: -1, stateHash: '', backlog: -1 };
  return { blockIndex: Number(await el.getAttribute('data-block-index')), stateHash: (await el.getAttribute('data-state-hash')) as string, backlog: Number(await el.getAttribute('data-backlog')) };
}

/** Runs a dashboard command in the tab's node through the page's test hook. */
export async function command<T>(page: Page, c: unknown): Promise<T> {
  return page.evaluate(async (cmd) => {
    const h = window.__iscp;
    if (!h) throw new Error('no host');
    return (await h.command(cmd as Parameters<typeof h.command>[0])) as unknown;
  }, c) as Promise<T>;
}

/** Waits until every tab shows the chain at the same block index (≥ minIndex) and state hash, backlog empty. */
export async function waitConverged(tabs: readonly NodeTab[], chain: string, minIndex = 1, timeoutMs = CHAIN_TIMEOUT_MS): Promise<ChainFacts> {
  let facts: ChainFacts[] = [];
  // On a timeout the message says where each tab stood, so a failed run can be read without a rerun.
  const where = (): string => tabs.map((t, i) => `${t.name}: #${facts[i]?.blockIndex} ${facts[i]?.stateHash.slice(0, 8)} backlog ${facts[i]?.backlog}`).join('; ');
  await expect
    .poll(
      async () => {
        facts = await Promise.all(tabs.map((t) => chainFacts(t.page, chain)));
        const f0 = facts[0];
        return !!f0 && f0.blockIndex >= minIndex && facts.every((f) => f.blockIndex === f0.blockIndex && f.stateHash === f0.stateHash && f.backlog === 0);
      },
      { timeout: timeoutMs, intervals: [250], message: `chain ${chain.slice(0, 10)}… converged at block ≥ ${minIndex} in every tab` },
    )
    .toBe(true)
    .catch((e: unknown) => {
      throw new Error(`${e instanceof Error ? e.message : String(e)}\nlast seen — ${where()}`);
    });
  return facts[0] as ChainFacts;
}

export interface Audit {
  blockIndex: number;
  stateHash: string;
  requests: number;
  duplicates: number;
}

/** From every tab: the counter's value, and the node's own store read back (each request at most once). */
export async function expectCounterEverywhere(tabs: readonly NodeTab[], chain: string, counter: number, requests: number, at: ChainFacts): Promise<void> {
  for (const tab of tabs) {
    const view = await command<{ result: Record<string, string> }>(tab.page, { kind: 'callView', chain, contract: 'counter', view: 'getCounter', params: {} });
    expect(view.result.counter, `counter in ${tab.name}`).toBe(String(counter));
    const audit = await command<Audit>(tab.page, { kind: 'audit', chain });
    expect(audit.blockIndex, `block index in ${tab.name}'s store`).toBe(at.blockIndex);
    expect(audit.stateHash).toBe(at.stateHash);
    expect(audit.duplicates, `duplicate requests in ${tab.name}`).toBe(0);
    expect(audit.requests, `requests in ${tab.name}'s blocks`).toBe(requests);
  }
}

/**
 * One `iscp` command as its own process, as a user types it in `dir` (its wallet and chains files live there),
 * against the test's hub; resolves with the exit code and output.
 */
export function iscpIn(hubURL: string, dir: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const argv = [ISCP_BIN, '--hub', hubURL, '--wallet', join(dir, 'wallet.json'), '--chains', join(dir, 'chains.json'), ...args];
  return new Promise((resolve) => {
    execFile(process.execPath, argv, { timeout: 170_000, cwd: dir }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}
