/**
 * `npm run bench:browser`: 4 Chromium tabs as 4 committee nodes on a private hub. Measures page load → member
 * ready, first direct WebRTC connection, full mesh, then (with a chain of N=4, T=3 running the counter contract)
 * requests/s and request→commit latency p50/p99 across tabs. Prints a table and writes
 * bench/results/browser-<stamp>.json (BenchResult shape, bench/types.ts).
 */
import { execSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { chromium, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../playwright.config';
import { startHub } from '../e2e/hub-process';
import { median, percentile, type BenchResult } from './types';

class MeshOnly extends Error {}
const N = 4;
const T = 3;
const THROUGHPUT_REQUESTS = 300;
const LATENCY_SAMPLES = 30;
const TIMEOUT_MS = 120_000;

type Cmd = Record<string, unknown>;
async function command<T>(page: Page, c: Cmd): Promise<T> {
  return page.evaluate(async (cmd) => {
    const h = window.__iscp;
    if (!h) throw new Error('no host');
    return (await h.command(cmd as Parameters<typeof h.command>[0])) as unknown;
  }, c) as Promise<T>;
}

async function until(what: string, fn: () => Promise<boolean>, timeoutMs = TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

if (process.env.BENCH_SKIP_BUILD !== '1') execSync('npm run --silent build', { stdio: 'inherit' });
const hub = await startHub();
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
const results: BenchResult[] = [];
try {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'], baseURL: hub.baseURL });
  const t0 = Date.now();
  const pages = await Promise.all(
    Array.from({ length: N }, async (_, i) => {
      const p = await context.newPage();
      await p.goto(`/?node=b${i + 1}`);
      return p;
    }),
  );
  const timings = async (p: Page) => p.evaluate(() => window.__iscp?.current.timings ?? {});
  await until('every tab running', async () => (await Promise.all(pages.map((p) => p.evaluate(() => window.__iscp?.current.phase)))).every((s) => s === 'running'));
  await until('full mesh', async () => {
    const counts = await Promise.all(pages.map((p) => p.evaluate(() => window.__iscp?.current.net?.peers.filter((x) => x.kind === 'direct' && x.peeringUp).length ?? 0)));
    return counts.every((c) => c === N - 1);
  });
  const meshMs = Date.now() - t0;
  const ts = await Promise.all(pages.map(timings));
  const ready = ts.map((t) => t.memberReadyMs ?? NaN);
  const firstDirect = ts.map((t) => t.firstDirectMs ?? NaN);
  const params = { tabs: N };
  results.push({ name: 'page load → member ready (median)', value: median(ready), unit: 'ms', parameters: params });
  results.push({ name: 'page load → first direct WebRTC connection (min)', value: Math.min(...firstDirect), unit: 'ms', parameters: params });
  results.push({ name: 'page load → full direct mesh', value: meshMs, unit: 'ms', parameters: params });
  if (process.env.BENCH_TRACE === '1') {
    // The dial path as each tab saw it (ms since its libp2p started): where the mesh time goes.
    for (const [i, p] of pages.entries()) console.log(`--- b${i + 1}\n${(await p.evaluate(() => window.__iscp?.net?.traceLog.join('\n') ?? '')) || '(no trace)'}`);
  }

  // BENCH_MESH_ONLY=1: connection setup figures only (quick comparisons of the dial path).
  if (process.env.BENCH_MESH_ONLY === '1') throw new MeshOnly();
  // A chain: N = 4, T = 3, the counter contract.
  const ids = await Promise.all(pages.map((p) => p.evaluate(() => window.__iscp?.current.nodeId as string)));
  const created = await command<{ chain: string }>(pages[0] as Page, { kind: 'createChain', memberNodeIds: ids, t: T, description: 'bench' });
  const chain = created.chain;
  const program = [...readFileSync('contracts/build/counter.wasm')];
  await page0Deploy(pages[0] as Page, chain, program);

  // Throughput: THROUGHPUT_REQUESTS posted by one wallet; time until every tab has processed them all.
  const poster = pages[1] as Page;
  const tStart = Date.now();
  const posted = await command<{ requestIds: string[] }>(poster, { kind: 'postMany', chain, contract: 'counter', entryPoint: 'increment', params: {}, count: THROUGHPUT_REQUESTS });
  await Promise.all(pages.map((p) => command(p, { kind: 'waitProcessed', chain, requestIds: posted.requestIds })));
  const throughputS = (Date.now() - tStart) / 1000;
  results.push({ name: 'requests committed on every tab', value: THROUGHPUT_REQUESTS / throughputS, unit: 'req/s', parameters: { ...params, t: T, requests: THROUGHPUT_REQUESTS, requestsPerTx: 25 } });

  // Latency: one request at a time; from posting (before L1 confirms it) to its commit, in each tab.
  const samples: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const sent = await poster.evaluate(() => Date.now());
    const r = await command<{ requestIds: string[] }>(poster, { kind: 'postRequest', chain, contract: 'counter', entryPoint: 'increment', params: {}, transfer: 0 });
    const done = await Promise.all(pages.map((p) => command<{ atMs: number }>(p, { kind: 'waitProcessed', chain, requestIds: r.requestIds })));
    for (const d of done) samples.push(d.atMs - sent);
  }
  results.push({ name: 'request → commit latency p50 (all tabs)', value: percentile(samples, 50), unit: 'ms', parameters: { ...params, t: T, samples: samples.length } });
  results.push({ name: 'request → commit latency p99 (all tabs)', value: percentile(samples, 99), unit: 'ms', parameters: { ...params, t: T, samples: samples.length } });
  await context.close();
} catch (e) {
  if (!(e instanceof MeshOnly)) throw e;
} finally {
  await browser.close();
  await hub.stop();
}

async function page0Deploy(page: Page, chain: string, program: number[]): Promise<void> {
  await page.evaluate(
    async ({ chain, program }) => {
      const h = window.__iscp;
      if (!h) throw new Error('no host');
      await h.command({ kind: 'deployWasm', chain, name: 'counter', description: 'counter', program: new Uint8Array(program) });
    },
    { chain, program },
  );
}

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3));
const rows = results.map((r) => [r.name, fmt(r.value), r.unit, Object.entries(r.parameters ?? {}).map(([k, v]) => `${k}=${v}`).join(' ')]);
const head = ['name', 'value', 'unit', 'parameters'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
const line = (cells: string[]) => cells.map((c, i) => (i === 1 ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number))).join('  ');
console.log(line(head));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of rows) console.log(line(r));
mkdirSync('bench/results', { recursive: true });
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const file = `bench/results/browser-${stamp}.json`;
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), node: process.version, results: results.map((r) => ({ suite: 'browser', ...r })) }, null, 2));
console.log(`\nwrote ${results.length} figures to ${file}`);
