/** One measured figure. `parameters` say what was measured (N, T, sizes); `baseline`/`ratio` where one exists. */
export interface BenchResult {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly parameters?: Readonly<Record<string, string | number | boolean>>;
}

/** A bench module (bench/*.bench.ts) default-exports one of these. */
export type BenchModule = () => Promise<BenchResult[]>;

/** Runs fn repeatedly for about `budgetMs` (at least `minRuns` times) and returns per-run milliseconds. */
export async function timeRuns(fn: () => unknown, budgetMs = 1000, minRuns = 5): Promise<number[]> {
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minRuns || performance.now() - start < budgetMs) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
    if (times.length >= 100_000) break;
  }
  return times;
}

export function median(xs: readonly number[]): number {
  return percentile(xs, 50);
}

export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i] as number;
}
