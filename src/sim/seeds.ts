import { SeededRng } from '../protocol';
import type { ByzantineKind, SimConfig } from './sim';

/** Byzantine behaviours a random scenario may give one member (at most f = N − T of them). */
const BYZANTINE_KINDS: readonly ByzantineKind[] = ['silent', 'wrongResult', 'badPartialSig', 'equivocate'];

/**
 * A small scenario whose faults all follow from the seed (the many-seeds mode, VOPR style): N=4, T=3, a few
 * requests, network drops/duplicates/delays, and with some probability one Byzantine member, one crash of an
 * honest member, or one L1 anchor rejection. The same seed always gives the same scenario, so a failing seed is
 * reproduced by `npm run sim -- --seeds S..S` (or the printed reproduction line).
 */
export function scenarioForSeed(seed: number, opts: { readonly requests?: number; readonly n?: number; readonly t?: number } = {}): SimConfig {
  const rng = new SeededRng(seed ^ 0x5eed);
  const n = opts.n ?? 4;
  const t = opts.t ?? Math.floor((2 * n) / 3) + 1;
  const pick = (p: number) => rng.float() < p;
  const delayMax = pick(0.5) ? rng.int(41) : 0;
  const network = { dropRate: pick(0.5) ? rng.int(11) / 100 : 0, duplicateRate: pick(0.3) ? rng.int(11) / 100 : 0, delayMinMs: 0, delayMaxMs: delayMax };
  const byzIndex = rng.int(n);
  const byzantine = pick(0.4) && n - t >= 1 ? [{ index: byzIndex, kind: BYZANTINE_KINDS[rng.int(BYZANTINE_KINDS.length)] as ByzantineKind }] : [];
  const crashIndex = (byzIndex + 1 + rng.int(n - 1)) % n;
  const crashAt = 200 + rng.int(600);
  // A crash only when no member is Byzantine: one crash plus one Byzantine member would exceed f = 1 at N=4.
  const crashes = byzantine.length === 0 && pick(0.3) ? [{ index: crashIndex, atMs: crashAt, restartAtMs: crashAt + 200 + rng.int(800) }] : [];
  const rejectAnchorBlocks = pick(0.2) ? [2 + rng.int(2)] : [];
  return { seed, n, t, requests: opts.requests ?? 4, requestIntervalMs: 20, network, byzantine, crashes, rejectAnchorBlocks, maxTimeMs: 60_000 };
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
