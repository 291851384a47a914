/**
 * `npm run bench [-- name-filter]`: runs every bench/*.bench.ts, prints one table, and writes the same figures
 * as JSON to bench/results/<timestamp>.json and bench/results/latest.json.
 */
import { readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchModule, BenchResult } from './types';

const here = dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2] ?? '';
const files = readdirSync(here).filter((f) => f.endsWith('.bench.ts') && f.includes(filter)).sort();
const all: (BenchResult & { suite: string })[] = [];
for (const f of files) {
  const suite = f.replace('.bench.ts', '');
  process.stderr.write(`running ${suite}…\n`);
  const mod = (await import(pathToFileURL(join(here, f)).href)) as { default: BenchModule };
  for (const r of await mod.default()) all.push({ suite, ...r });
}
const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3));
const rows = all.map((r) => [r.suite, r.name, fmt(r.value), r.unit, Object.entries(r.parameters ?? {}).map(([k, v]) => `${k}=${v}`).join(' ')]);
const head = ['suite', 'name', 'value', 'unit', 'parameters'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
const line = (cells: string[]) => cells.map((c, i) => (i === 2 ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number))).join('  ');
console.log(line(head));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of rows) console.log(line(r));
const outDir = join(here, 'results');
mkdirSync(outDir, { recursive: true });
const json = JSON.stringify({ date: new Date().toISOString(), node: process.version, results: all }, null, 2);
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
writeFileSync(join(outDir, `${stamp}.json`), json);
writeFileSync(join(outDir, 'latest.json'), json);
console.log(`\nwrote ${all.length} figures to bench/results/${stamp}.json`);
