import { SeededRng } from '../protocol';
import { BYZANTINE_KINDS, type ByzantineKind, type SimConfig } from './sim';

/**
 * A small scenario whose faults all follow from the seed (the many-seeds mode, VOPR style): N (default 4),
 * T = ⌊2N/3⌋+1, a few requests, network drops/duplicates/delays, and with some probability 1..f Byzantine members
 * (f = N − T, each with a behaviour drawn from BYZANTINE_KINDS), one crash of an honest member when that stays
 * within f, or one L1 anchor rejection. The same seed always gives the same scenario, so a failing seed is
 * reproduced by `npm run sim -- --seeds S..S` (or the printed reproduction line).
 */
export function scenarioForSeed(
  seed: number,
  opts: { readonly requests?: number; readonly n?: number; readonly t?: number; readonly crossChain?: { readonly counterWasm: Uint8Array } } = {},
): SimConfig {
  const rng = new SeededRng(seed ^ 0x5eed);
  const n = opts.n ?? 4;
  const t = opts.t ?? Math.floor((2 * n) / 3) + 1;
  const f = n - t;
  const pick = (p: number) => rng.float() < p;
  const delayMax = pick(0.5) ? rng.int(41) : 0;
  const network = { dropRate: pick(0.5) ? rng.int(11) / 100 : 0, duplicateRate: pick(0.3) ? rng.int(11) / 100 : 0, delayMinMs: 0, delayMaxMs: delayMax };
  // 1..f distinct members (a shuffled prefix of the indices), each with its own behaviour.
  const count = f >= 1 && pick(0.5) ? 1 + rng.int(f) : 0;
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const byzantine = order.slice(0, count).map((index) => ({ index, kind: BYZANTINE_KINDS[rng.int(BYZANTINE_KINDS.length)] as ByzantineKind }));
  const crashIndex = order[count] as number;
  const crashAt = 200 + rng.int(600);
  // A crashed honest member counts against f as well: one crash only while the Byzantine members leave room.
  const crashes = count < f && pick(0.3) ? [{ index: crashIndex, atMs: crashAt, restartAtMs: crashAt + 200 + rng.int(800) }] : [];
  const rejectAnchorBlocks = pick(0.2) ? [2 + rng.int(2)] : [];
  const base: SimConfig = { seed, n, t, requests: opts.requests ?? 4, requestIntervalMs: 20, network, byzantine, crashes, rejectAnchorBlocks, maxTimeMs: 60_000 };
  if (!opts.crossChain) return base;
  // Cross-chain form: 2 or 3 chains on the committee, contracts posting to other chains and to their own; drawn
  // after the faults so a seed keeps its faults. Crashes move past the deployment of the chains.
  return {
    ...base,
    workload: 'crossChain',
    chains: 2 + rng.int(2),
    counterWasm: opts.crossChain.counterWasm,
    requests: opts.requests ?? 6,
    crashes: crashes.map((c) => ({ ...c, atMs: c.atMs + 4_000, restartAtMs: c.restartAtMs + 4_000 })),
    maxTimeMs: 120_000,
  };
}

/** Parses "A..B" or "A" into an inclusive seed range (bounded so a typo cannot start a week-long run). */
export function parseSeedRange(s: string): number[] {
  const m = /^(\d+)(?:\.\.(\d+))?$/.exec(s.trim());
  if (!m) throw new RangeError(`bad seed range '${s}' (expected A..B)`);
  const a = Number(m[1]);
  const b = m[2] !== undefined ? Number(m[2]) : a;
  if (b < a || b - a >= 100_000) throw new RangeError(`seed range ${a}..${b} is empty or larger than 100000`);
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}
