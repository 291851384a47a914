/** A real compiler's output through the whole pipeline: AssemblyScript (the contract SDK's language). */
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeModule } from './encode';
import { DEFAULT_POLICY_V1, callExport, compileProgramSync, instrumentModule, type WasmPolicy } from './index';
import { parseModule } from './parse';

const SOURCE = `
export function fib(n: i32): i32 { let a = 0, b = 1; for (let i = 0; i < n; i++) { const t = a + b; a = b; b = t; } return a; }
export function sum(n: i32): i64 {
  const arr = new Array<i64>(n);
  for (let i = 0; i < n; i++) arr[i] = i;
  let s: i64 = 0;
  for (let i = 0; i < n; i++) s += arr[i];
  return s;
}
export function fact(n: i64): i64 { return n <= 1 ? 1 : n * fact(n - 1); }
export function hypot(x: f64, y: f64): f64 { return Math.sqrt(x * x + y * y); }
export function check(n: i32): i32 { assert(n > 0, 'n must be positive'); return n; }
`;

const POLICY: WasmPolicy = {
  ...DEFAULT_POLICY_V1,
  floats: 'canonicalize',
  imports: [{ module: 'env', name: 'abort', params: ['i32', 'i32', 'i32', 'i32'], results: [] }],
};

let binary: Uint8Array;
beforeAll(async () => {
  const asc = (await import('assemblyscript/asc')) as unknown as {
    compileString(src: string, opts: Record<string, unknown>): Promise<{ error: Error | null; binary: Uint8Array | null; stderr: { toString(): string } }>;
  };
  const r = await asc.compileString(SOURCE, { optimizeLevel: 2, runtime: 'stub' });
  if (r.error || !r.binary) throw new Error(`asc failed: ${r.stderr.toString()}`);
  binary = r.binary;
}, 60_000);

describe('AssemblyScript output', () => {
  it('round-trips through parse/encode', () => {
    expect(encodeModule(parseModule(binary))).toEqual(binary);
  });

  it('instruments, runs, and matches the unmetered module', () => {
    const p = compileProgramSync(instrumentModule(binary, POLICY));
    const plain = new WebAssembly.Instance(new WebAssembly.Module(binary as Uint8Array<ArrayBuffer>), { env: { abort: () => { throw new Error('abort'); } } }).exports as Record<string, (...a: unknown[]) => unknown>;
    const host = { env: { abort: () => { throw new Error('unexpected abort'); } } };
    const run = (name: string, args: (number | bigint)[]) => callExport(p, name, args, host, 10_000_000n);
    expect(run('fib', [30])).toMatchObject({ ok: true, results: [plain.fib?.(30)] });
    expect(run('sum', [1000])).toMatchObject({ ok: true, results: [plain.sum?.(1000)] });
    expect(run('fact', [20n])).toMatchObject({ ok: true, results: [plain.fact?.(20n)] });
    expect(run('hypot', [3, 4])).toMatchObject({ ok: true, results: [5] });
    expect(run('sum', [1000])).toEqual(run('sum', [1000]));
  });

  it('is rejected under floats: forbid only because of its float function', () => {
    expect(() => instrumentModule(binary, { ...POLICY, floats: 'forbid' })).toThrow(/float/);
  });

  it('a failed assert calls the abort host function, which can end the call as Panic', async () => {
    const { ContractPanic } = await import('./errors');
    const p = compileProgramSync(instrumentModule(binary, POLICY));
    const host = { env: { abort: () => { throw new ContractPanic('assertion failed'); } } };
    expect(callExport(p, 'check', [0], host, 100_000n)).toMatchObject({ ok: false, kind: 'Panic', message: 'assertion failed' });
    expect(callExport(p, 'check', [5], host, 100_000n)).toMatchObject({ ok: true, results: [5] });
  });
});
