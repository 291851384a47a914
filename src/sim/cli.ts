import { readFileSync, writeFileSync } from 'node:fs';
import { isByzantineKind, Simulation, type ByzantineKind, type SimConfig, type SimWorkload } from './sim';
import type { NetworkFaults } from './network';
import { parseSeedRange, scenarioForSeed } from './seeds';

/**
 * npm run sim -- --seed S --n N --t T --requests R --faults drop=0.05,dup=0.05,delay=0-40,wrongResult@1,silent@2,
 *   badPartialSig@3,equivocate@1,hijack@1,hijackValid@2,flood@3,replay@0,rejectAnchor@2,crash@2:400-900,partition@200-800,skew=0/500/-500/0
 *   [--dkg] [--workload deposit|counter|crossChain] [--chains K] [--interval MS] --trace FILE.json  |  --soak  |  --seeds A..B (random faults per seed)
 */
const COUNTER_WASM = new URL('../../contracts/build/counter.wasm', import.meta.url);

function parse(argv: string[]): { cfg: SimConfig; traceFile: string | null; soak: boolean; seeds: number[] | null } {
  const get = (k: string): string | undefined => {
    const i = argv.indexOf(`--${k}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const n = Number(get('n') ?? 4);
  const t = Number(get('t') ?? Math.floor((2 * n) / 3) + 1);
  let network: NetworkFaults = { dropRate: 0, duplicateRate: 0, delayMinMs: 0, delayMaxMs: 0 };
  const byzantine: { index: number; kind: ByzantineKind }[] = [];
  const crashes: { index: number; atMs: number; restartAtMs: number }[] = [];
  const rejectAnchorBlocks: number[] = [];
  let partition: SimConfig['partition'];
  let clockSkewMs: number[] | undefined;
  for (const f of (get('faults') ?? '').split(',').filter(Boolean)) {
    const [k, v = ''] = f.split(/[=@]/);
    if (k === 'drop') network = { ...network, dropRate: Number(v) };
    else if (k === 'dup') network = { ...network, duplicateRate: Number(v) };
    else if (k === 'delay') {
      const [a, b] = v.split('-').map(Number);
      network = { ...network, delayMinMs: a ?? 0, delayMaxMs: b ?? a ?? 0 };
    } else if (k !== undefined && isByzantineKind(k)) byzantine.push({ index: Number(v), kind: k });
    else if (k === 'rejectAnchor') rejectAnchorBlocks.push(Number(v));
    else if (k === 'crash') {
      const m = /^(\d+):(\d+)-(\d+)$/.exec(v);
      if (!m) throw new Error(`bad crash fault '${f}' (crash@INDEX:AT-RESTART)`);
      crashes.push({ index: Number(m[1]), atMs: Number(m[2]), restartAtMs: Number(m[3]) });
    } else if (k === 'partition') {
      const [a, b] = v.split('-').map(Number);
      const minority = Array.from({ length: n - t }, (_, i) => i);
      partition = { groups: [minority, Array.from({ length: t }, (_, i) => i + n - t)], fromMs: a ?? 0, toMs: b ?? 0 };
    } else if (k === 'skew') clockSkewMs = v.split('/').map(Number);
    else throw new Error(`unknown fault '${f}'`);
  }
  const w = get('workload') ?? 'deposit';
  if (w !== 'deposit' && w !== 'counter' && w !== 'crossChain') throw new Error(`unknown workload '${w}' (deposit, counter or crossChain)`);
  const workload: SimWorkload = w;
  const chains = Number(get('chains') ?? (workload === 'crossChain' ? 2 : 1));
  if (!Number.isInteger(chains) || chains < 1 || chains > 8) throw new Error(`--chains must be 1..8, got ${get('chains')}`);
  const interval = get('interval');
  const cfg: SimConfig = {
    seed: Number(get('seed') ?? 1),
    n,
    t,
    requests: Number(get('requests') ?? 50),
    network,
    byzantine,
    crashes,
    rejectAnchorBlocks,
    ...(partition ? { partition } : {}),
    ...(clockSkewMs ? { clockSkewMs } : {}),
    ...(interval !== undefined ? { requestIntervalMs: Number(interval) } : {}),
    dkg: argv.includes('--dkg'),
    workload,
    chains,
    ...(workload !== 'deposit' ? { counterWasm: new Uint8Array(readFileSync(COUNTER_WASM)) } : {}),
    trace: get('trace') !== undefined,
  };
  const seeds = get('seeds');
  return { cfg, traceFile: get('trace') ?? null, soak: argv.includes('--soak'), seeds: seeds ? parseSeedRange(seeds) : null };
}

async function main(): Promise<void> {
  const { cfg, traceFile, soak, seeds } = parse(process.argv.slice(2));
  const runs: SimConfig[] = seeds
    ? seeds.map((s) =>
        scenarioForSeed(s, {
          n: cfg.n,
          t: cfg.t,
          ...(process.argv.includes('--requests') ? { requests: cfg.requests } : {}),
          ...(cfg.workload === 'crossChain' && cfg.counterWasm ? { crossChain: { counterWasm: cfg.counterWasm } } : {}),
        }),
      )
    : soak
      ? [{ ...cfg, requests: Math.max(cfg.requests, 2000), requestIntervalMs: 2, maxTimeMs: 600_000 }]
      : [cfg];
  let failed = false;
  const failures: number[] = [];
  for (const c of runs) {
    const t0 = performance.now();
    const r = await new Simulation(c).run();
    const lat = [...r.latenciesMs].sort((a, b) => a - b);
    console.log(
      `${r.ok ? 'OK  ' : 'FAIL'} seed=${c.seed} n=${c.n} t=${c.t} blocks=${r.chainBlocks.join('+')} requests=${r.requestsProcessed}${r.crossChainProcessed ? ` crossChain=${r.crossChainProcessed}` : ''} virtualMs=${r.timeMs} ` +
        `latencyMsP50=${lat[Math.floor(lat.length / 2)] ?? '-'} evidence=${r.evidence} dropped=${r.messagesDropped} wallMs=${(performance.now() - t0).toFixed(0)}\n` +
        `final state hash ${r.finalStateHash}`,
    );
    if (!r.ok) {
      failed = true;
      console.log(`violation: ${r.violation}\nreproduce: ${seeds ? `npm run sim -- --seeds ${c.seed}..${c.seed}   (= ${r.reproduce})` : r.reproduce}`);
      failures.push(c.seed);
    }
    if (traceFile) writeFileSync(traceFile, JSON.stringify({ config: { ...c }, events: r.trace }, null, 0));
  }
  if (seeds) console.log(`${runs.length - failures.length}/${runs.length} seeds OK${failures.length ? `; failing seeds: ${failures.join(', ')}` : ''}`);
  process.exitCode = failed ? 1 : 0;
}

void main();
