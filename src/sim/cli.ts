import { readFileSync, writeFileSync } from 'node:fs';
import { isByzantineKind, Simulation, type ByzantineKind, type SimConfig, type SimWorkload } from './sim';
import type { NetworkFaults } from './network';
import { parseSeedRange, scenarioForSeed } from './seeds';

const USAGE = `usage: npm run sim -- [options]
  --seed S --n N --t T --requests R --interval MS        one scenario (defaults: seed 1, n 4, t 2n/3+1, 50 requests)
  --faults drop=0.05,dup=0.05,delay=0-40,wrongResult@1,silent@2,badPartialSig@3,equivocate@1,hijack@1,
           hijackValid@2,flood@3,replay@0,rejectAnchor@2,crash@2:400-900,partition@200-800,skew=0/500/-500/0
  --dkg                                                  run the DKG instead of a dealt key
  --workload deposit|counter|crossChain  --chains K      what the requests do; K chains on one committee
  --trace FILE.json                                      write the run's events (for the classroom)
  --seeds A..B                                           random faults per seed (Byzantine members up to f)
  --soak                                                 one long run (≥ 2,000 requests)
  --help                                                 this text`;
/** Flags with a value, and switches (anything else is a usage error, exit code 2). */
const VALUE_FLAGS = ['seed', 'n', 't', 'requests', 'interval', 'faults', 'workload', 'chains', 'trace', 'seeds'];
const SWITCHES = ['dkg', 'soak', 'help'];

/** The first thing on the command line that is not a known flag (or a flag without its value), or null. */
export function usageProblem(argv: readonly string[]): string | null {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const name = a.startsWith('--') ? a.slice(2) : null;
    if (name !== null && SWITCHES.includes(name)) continue;
    if (name !== null && VALUE_FLAGS.includes(name)) {
      if (argv[i + 1] === undefined || (argv[i + 1] as string).startsWith('--')) return `--${name} needs a value`;
      i++;
      continue;
    }
    return name === null ? `unexpected argument '${a}'` : `unknown option --${name}`;
  }
  return null;
}

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
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) return void console.log(USAGE);
  const problem = usageProblem(argv);
  if (problem) {
    console.error(`${problem}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  let parsed;
  try {
    parsed = parse(argv);
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const { cfg, traceFile, soak, seeds } = parsed;
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

// Started as a script (npm run sim); tests import usageProblem only.
if (process.argv[1] !== undefined && /sim[\\/]cli\.ts$/.test(process.argv[1])) void main();
