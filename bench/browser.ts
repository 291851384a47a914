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

/**
 * `--trials K [--tabs N]`: the mesh alone, K times, each trial on a fresh hub and browser context (fresh node
 * names): page load → worker ready, → libp2p up, → a quorum of peers reachable (direct or relayed), and the first
 * tab's load → full direct mesh. Prints min/median/p99/max per figure with the load average, then exits.
 */
const argv = process.argv.slice(2);
const flag = (name: string): number | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : undefined;
};
const TRIALS = flag('--trials');
if (TRIALS !== undefined) {
  const tabs = flag('--tabs') ?? N;
  await meshTrials(TRIALS, tabs);
  process.exit(0);
}

async function meshTrials(trials: number, tabs: number): Promise<void> {
  const quorum = Math.floor(tabs / 2) + 1;
  const figures = { ready: [] as number[], network: [] as number[], quorum: [] as number[], mesh: [] as number[] };
  const load = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const loadBefore = load();
  for (let k = 0; k < trials; k++) {
    const trialHub = await startHub();
    const b = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    try {
      const context = await b.newContext({ permissions: ['camera', 'microphone'], baseURL: trialHub.baseURL });
      const t0 = Date.now();
      const pages = await Promise.all(Array.from({ length: tabs }, async (_, i) => {
        const p = await context.newPage();
        await p.goto(`/?node=t${k}x${i + 1}`);
        return p;
      }));
      // Per tab, in its own clock (ms since its navigation started): when quorum − 1 peers were reachable.
      const quorumAt = new Map<Page, number>();
      await until('full mesh', async () => {
        const seen = await Promise.all(pages.map((p) => p.evaluate(() => {
          const peers = window.__iscp?.current.net?.peers ?? [];
          return { up: peers.filter((x) => x.peeringUp).length, direct: peers.filter((x) => x.kind === 'direct' && x.peeringUp).length, now: performance.now() };
        })));
        for (const [i, v] of seen.entries()) if (v.up >= quorum - 1 && !quorumAt.has(pages[i] as Page)) quorumAt.set(pages[i] as Page, v.now);
        return seen.every((v) => v.direct === tabs - 1);
      }, 90_000);
      figures.mesh.push(Date.now() - t0);
      if (process.env.BENCH_TRACE === '1') for (const [i, p] of pages.entries()) console.log(`--- tab ${i + 1}\n${(await p.evaluate(() => window.__iscp?.net?.traceLog.join('\n') ?? '')) || '(no trace)'}`);
      for (const p of pages) {
        const t: Readonly<Record<string, number>> = await p.evaluate(() => window.__iscp?.current.timings ?? {});
        figures.ready.push(t.memberReadyMs ?? NaN);
        figures.network.push(t.networkReadyMs ?? NaN);
        figures.quorum.push(quorumAt.get(p) ?? NaN);
      }
      await context.close();
    } finally {
      await b.close();
      await trialHub.stop();
    }
    console.log(`trial ${k + 1}/${trials}: mesh of ${tabs} in ${figures.mesh.at(-1)} ms`);
  }
  const row = (name: string, xs: number[]): string => {
    const v = xs.filter((x) => Number.isFinite(x));
    return `${name.padEnd(58)} min ${Math.min(...v).toFixed(0).padStart(6)}  p50 ${median(v).toFixed(0).padStart(6)}  p99 ${percentile(v, 99).toFixed(0).padStart(6)}  max ${Math.max(...v).toFixed(0).padStart(6)} ms`;
  };
  console.log(`\nmesh of ${tabs} tabs, ${trials} trials (quorum ${quorum}); load average before ${loadBefore}, after ${load()}`);
  console.log(row('page load → node worker ready (each tab)', figures.ready));
  console.log(row('page load → libp2p up (each tab)', figures.network));
  console.log(row(`page load → ${quorum - 1} peers reachable, direct or relayed (each tab)`, figures.quorum));
  console.log(row('first tab opened → full direct mesh', figures.mesh));
}

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
