/**
 * The deterministic wasm layer: instrumentation speed, compile/instantiate cost (cached Module or not), per-call
 * overhead, and metered vs unmetered run time of a CPU loop (the ratio is its own row).
 */
import { ModuleBuilder, block, f64c, i32c, i64c, ins } from '../src/vm/wasm/asm';
import { readFileSync } from 'node:fs';
import { DEFAULT_POLICY_V1, ProgramCache, callExport, compileProgramSync, instrumentModule, type HostFunctions } from '../src/vm/wasm/index';
import { WASM_POLICY } from '../src/vm/wasm-processor';
import { median, timeRuns, type BenchResult } from './types';

/** CPU time of this process per call (a shared machine's wall clock also counts other processes' turns). */
function cpuPerCall(fn: () => unknown, runs: number): number {
  for (let i = 0; i < 200; i++) fn();
  const c0 = process.cpuUsage();
  for (let i = 0; i < runs; i++) fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / runs;
}

const ITERATIONS = 1_000_000;

/** loop(n): sums i*3 xor i over n iterations (i64), plus a float loop for the canonicalization cost. */
function cpuModule(extraFuncs: number): Uint8Array {
  const b = new ModuleBuilder();
  b.memory(1);
  b.func([], [], [], [], 'empty');
  b.func(['i32'], ['i64'], ['i64', 'i32'], [
    ...block('loop'),
    ...ins('local.get', 1), ...ins('local.get', 2), ...ins('i64.extend_i32_u'), ...i64c(3), ...ins('i64.mul'),
    ...ins('local.get', 2), ...ins('i64.extend_i32_u'), ...ins('i64.xor'), ...ins('i64.add'), ...ins('local.set', 1),
    ...ins('local.get', 2), ...i32c(1), ...ins('i32.add'), ...ins('local.tee', 2),
    ...ins('local.get', 0), ...ins('i32.lt_u'), ...ins('br_if', 0),
    ...ins('end'),
    ...ins('local.get', 1),
  ], 'loop');
  b.func(['i32'], ['f64'], ['f64', 'i32'], [
    ...block('loop'),
    ...ins('local.get', 1), ...f64c(1.0000001), ...ins('f64.mul'), ...f64c(0.5), ...ins('f64.add'), ...ins('local.set', 1),
    ...ins('local.get', 2), ...i32c(1), ...ins('i32.add'), ...ins('local.tee', 2),
    ...ins('local.get', 0), ...ins('i32.lt_u'), ...ins('br_if', 0),
    ...ins('end'),
    ...ins('local.get', 1),
  ], 'floats');
  // Filler functions with branches and calls, to measure instrumentation per KB on a realistic mix.
  for (let f = 0; f < extraFuncs; f++) {
    const body: number[] = [];
    for (let k = 0; k < 8; k++) {
      body.push(...ins('local.get', 0), ...block('if', 'i32'), ...ins('local.get', 0), ...i32c(k), ...ins('i32.add'), ...ins('else'), ...i32c(k), ...ins('end'), ...ins('local.set', 0));
    }
    body.push(...ins('local.get', 0));
    b.func(['i32'], ['i32'], [], body);
  }
  return b.build();
}

export default async function wasmBench(): Promise<BenchResult[]> {
  const policy = { ...DEFAULT_POLICY_V1, floats: 'canonicalize' as const };
  const results: BenchResult[] = [];

  const big = cpuModule(400);
  const kb = big.length / 1024;
  const tInstr = median(await timeRuns(() => instrumentModule(big, policy), 1000));
  const instrumented = instrumentModule(big, policy);
  results.push({ name: 'instrument', value: tInstr / kb, unit: 'ms/KB', parameters: { moduleKB: Number(kb.toFixed(1)), outKB: Number((instrumented.length / 1024).toFixed(1)) } });

  const small = instrumentModule(cpuModule(0), policy);
  results.push({ name: 'compile (uncached, sync)', value: median(await timeRuns(() => compileProgramSync(small, new ProgramCache(1)), 500)), unit: 'ms', parameters: { bytes: small.length } });
  const program = compileProgramSync(small);
  results.push({ name: 'compile (cache hit)', value: median(await timeRuns(() => compileProgramSync(small), 300)), unit: 'ms' });
  results.push({ name: 'instantiate from cached Module', value: median(await timeRuns(() => new WebAssembly.Instance(program.module, {}), 300)), unit: 'ms' });
  results.push({ name: 'callExport empty export, fresh instance', value: median(await timeRuns(() => callExport(program, 'empty', [], {}, 1_000n, { fresh: true }), 500)) * 1000, unit: 'µs' });
  results.push({ name: 'callExport empty export, reused instance', value: median(await timeRuns(() => callExport(program, 'empty', [], {}, 1_000n), 500)) * 1000, unit: 'µs' });
  // A real contract: counter.wasm (1 page of memory, the host ABI's imports), its smallest view, a no-op host.
  const counter = compileProgramSync(instrumentModule(new Uint8Array(readFileSync(new URL('../contracts/build/counter.wasm', import.meta.url))), WASM_POLICY));
  const noHost: HostFunctions = { iscp: Object.fromEntries(counter.imports.map((i) => [i.name, () => 0])) };
  for (const fresh of [true, false]) {
    const cpuUs = cpuPerCall(() => callExport(counter, 'init', [], noHost, 1_000_000n, { fresh }), 2000);
    results.push({ name: `callExport counter.wasm, ${fresh ? 'fresh' : 'reused'} instance`, value: cpuUs, unit: 'µs cpu', parameters: { clock: 'process cpu' } });
  }

  const plain = new WebAssembly.Instance(new WebAssembly.Module(cpuModule(0) as Uint8Array<ArrayBuffer>), {}).exports as Record<string, (n: number) => bigint | number>;
  const unmetered = median(await timeRuns(() => (plain.loop as (n: number) => bigint)(ITERATIONS), 1500));
  const metered = median(await timeRuns(() => callExport(program, 'loop', [ITERATIONS], {}, 1n << 40n), 1500));
  const gas = callExport(program, 'loop', [ITERATIONS], {}, 1n << 40n).gasUsed;
  results.push({ name: 'CPU loop unmetered', value: unmetered, unit: 'ms', parameters: { iterations: ITERATIONS } });
  results.push({ name: 'CPU loop metered', value: metered, unit: 'ms', parameters: { iterations: ITERATIONS, gasUsed: Number(gas) } });
  results.push({ name: 'CPU loop metered/unmetered', value: metered / unmetered, unit: 'ratio' });
  results.push({ name: 'gas throughput (metered loop)', value: Number(gas) / metered / 1000, unit: 'Mgas/s' });

  const fUnmetered = median(await timeRuns(() => (plain.floats as (n: number) => number)(ITERATIONS), 1000));
  const fMetered = median(await timeRuns(() => callExport(program, 'floats', [ITERATIONS], {}, 1n << 40n), 1000));
  results.push({ name: 'float loop metered+canonicalized/unmetered', value: fMetered / fUnmetered, unit: 'ratio', parameters: { iterations: ITERATIONS, unmeteredMs: Number(fUnmetered.toFixed(2)) } });
  return results;
}
