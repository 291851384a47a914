/**
 * Runs instrumented programs: a fresh instance per call (or an idle one reset to exactly the initial state,
 * instances.ts) over a cached compiled Module, the gas budget loaded
 * into the gas global, and every way a call can end mapped to one deterministic CallOutcome — or, when the
 * cause lies in this node rather than in the contract, to a thrown VmNodeFault.
 */
import { blake2b256, toHex } from '../../protocol';
import { ContractPanic, VmNodeFault } from './errors';
import { parseModule } from './parse';
import { acquireInstance, OutOfGasSignal, releaseInstance, reusePlan, type HostFunctions, type LiveInstance, type ReusePlan, type WasmValue } from './instances';
import { EXPORT_GAS, EXPORT_START, RESERVED_EXPORT_PREFIX, STATUS_OUT_OF_GAS, STATUS_STACK_OVERFLOW } from './policy';
import { ExternalKind, valTypeName, type FuncType, type ValType } from './types';

export type { HostContext, HostFunction, HostFunctions, WasmValue } from './instances';

export interface CallOptions {
  /** Frame units already used by the callers in this call chain; 0 (default) for an outermost call. */
  readonly depth?: number;
  /**
   * Instantiate anew even where an idle instance could be reset (the outcome is the same either way; tests
   * and benches compare the two).
   */
  readonly fresh?: boolean;
}

/** Bound on a starting depth: far above any policy's stackFramesMax, far below i32 overflow of the counter. */
const START_DEPTH_MAX = 1 << 30;

export type FailureKind = 'OutOfGas' | 'StackOverflow' | 'Trap' | 'Panic';
export type CallOutcome =
  | { readonly ok: true; readonly results: WasmValue[]; readonly gasUsed: bigint }
  | { readonly ok: false; readonly kind: FailureKind; readonly message: string; readonly gasUsed: bigint };

export interface ExportSignature {
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
}

const GAS_MAX = (1n << 63n) - 1n;

export class WasmProgram {
  private constructor(
    /** Hex blake2b-256 of the instrumented bytes. */
    readonly hash: string,
    readonly module: WebAssembly.Module,
    /** Contract entry points (exported functions), sorted. */
    readonly exports: readonly string[],
    readonly signatures: ReadonlyMap<string, ExportSignature>,
    readonly imports: readonly { readonly module: string; readonly name: string }[],
    /** @internal How a used instance is put back into its initial state (instances.ts); null = never reused. */
    readonly reuse: ReusePlan | null,
  ) {}

  /** Compiles off the calling thread where the engine can; use ahead of time to fill the cache. */
  static async compile(instrumented: Uint8Array, cache: ProgramCache = defaultProgramCache): Promise<WasmProgram> {
    const hash = toHex(blake2b256(instrumented));
    const hit = cache.get(hash);
    if (hit) return hit;
    const module = await WebAssembly.compile(instrumented as Uint8Array<ArrayBuffer>);
    return cache.put(WasmProgram.make(hash, instrumented, module));
  }

  /** @internal */
  static make(hash: string, instrumented: Uint8Array, module: WebAssembly.Module): WasmProgram {
    const m = parseModule(instrumented, true);
    const types = (f: number): FuncType => {
      const t = f < m.imports.length ? m.imports[f]?.typeIndex : m.funcs[f - m.imports.length];
      return m.types[t ?? -1] as FuncType;
    };
    const signatures = new Map<string, ExportSignature>();
    for (const e of m.exports) {
      if (e.kind !== ExternalKind.func || e.name.startsWith(RESERVED_EXPORT_PREFIX)) continue;
      const t = types(e.index);
      signatures.set(e.name, { params: t.params.map(valTypeName) as ValType[], results: t.results.map(valTypeName) as ValType[] });
    }
    if (!m.exports.some((e) => e.name === EXPORT_GAS)) throw new VmNodeFault('program was not instrumented (no gas global)');
    return new WasmProgram(hash, module, [...signatures.keys()].sort(), signatures, m.imports.map(({ module: mod, name }) => ({ module: mod, name })), reusePlan(m));
  }
}

/** Compiled programs by hash. Bounded, least recently used evicted first. */
export class ProgramCache {
  private readonly map = new Map<string, WasmProgram>();
  constructor(readonly entriesMax = 64) {}
  get(hash: string): WasmProgram | undefined {
    const p = this.map.get(hash);
    if (p) {
      this.map.delete(hash);
      this.map.set(hash, p);
    }
    return p;
  }
  put(p: WasmProgram): WasmProgram {
    this.map.delete(p.hash);
    this.map.set(p.hash, p);
    while (this.map.size > this.entriesMax) this.map.delete(this.map.keys().next().value as string);
    return p;
  }
  get size(): number {
    return this.map.size;
  }
}

export const defaultProgramCache = new ProgramCache();

/** Synchronous compile (fine in Node and in workers for contract-sized modules). */
export function compileProgramSync(instrumented: Uint8Array, cache: ProgramCache = defaultProgramCache): WasmProgram {
  const hash = toHex(blake2b256(instrumented));
  const hit = cache.get(hash);
  if (hit) return hit;
  return cache.put(WasmProgram.make(hash, instrumented, new WebAssembly.Module(instrumented as Uint8Array<ArrayBuffer>)));
}

function checkArgs(sig: ExportSignature, args: readonly WasmValue[], name: string): void {
  if (args.length !== sig.params.length) throw new VmNodeFault(`${name} takes ${sig.params.length} arguments, got ${args.length}`);
  sig.params.forEach((t, i) => {
    const a = args[i];
    const ok = t === 'i64' ? typeof a === 'bigint' : t === 'i32' ? typeof a === 'number' && Number.isInteger(a) && a >= -(2 ** 31) && a < 2 ** 32 : typeof a === 'number';
    if (!ok) throw new VmNodeFault(`${name} argument ${i} must be ${t}, got ${String(a)}`);
  });
}

/** Engine trap messages differ between engines; outcomes carry one of these canonical texts. */
export function canonicalTrapMessage(engineMessage: string): string {
  const m = engineMessage.toLowerCase();
  // V8 texts first, SpiderMonkey's in the same branch where they differ.
  if (m.includes('unreachable')) return 'unreachable';
  if (m.includes('float unrepresentable') || m.includes('invalid conversion')) return 'invalid conversion to integer';
  if (m.includes('divide result unrepresentable') || m.includes('integer overflow')) return 'integer overflow';
  if (m.includes('by zero')) return 'integer divide by zero';
  if (m.includes('memory access') || (m.includes('out of bounds') && m.includes('memory'))) return 'memory access out of bounds';
  if (m.includes('table') || m.includes('function') || m.includes('signature') || m.includes('indirect')) return 'indirect call failed';
  if (m.includes('segment') || m.includes('out of bounds')) return 'out of bounds';
  return 'trap';
}

/**
 * Calls `exportName` on a fresh instance (in meaning: see instances.ts for how an idle one is reset to exactly
 * that) with `gasLimit` gas, its depth counter starting at `opts.depth`. gasUsed counts every block entered
 * (blocks are charged on entry), and equals gasLimit on OutOfGas.
 */
export function callExport(program: WasmProgram, exportName: string, args: readonly WasmValue[], host: HostFunctions, gasLimit: bigint, opts: CallOptions = {}): CallOutcome {
  if (typeof gasLimit !== 'bigint' || gasLimit < 0n || gasLimit > GAS_MAX) throw new VmNodeFault(`gasLimit ${String(gasLimit)} not in 0..2^63-1`);
  const startDepth = opts.depth ?? 0;
  if (!Number.isInteger(startDepth) || startDepth < 0 || startDepth > START_DEPTH_MAX) throw new VmNodeFault(`start depth ${String(startDepth)} not in 0..2^30`);
  const sig = program.signatures.get(exportName);
  if (sig === undefined) return { ok: false, kind: 'Trap', message: `no entry point ${JSON.stringify(exportName)}`, gasUsed: 0n };
  checkArgs(sig, args, exportName);

  let live: LiveInstance;
  try {
    live = acquireInstance(program, host, opts.fresh === true);
  } catch (e) {
    // Active data/element segments out of bounds trap at instantiation: deterministic, nothing ran.
    if (e instanceof WebAssembly.RuntimeError) return { ok: false, kind: 'Trap', message: canonicalTrapMessage(e.message), gasUsed: 0n };
    if (e instanceof VmNodeFault) throw e;
    throw new VmNodeFault(`instantiation failed: ${String(e)}`, e);
  }
  live.gasG.value = gasLimit;
  live.depthG.value = startDepth;
  // Throws only node faults; the instance is then dropped rather than reused.
  const out = run(live, exportName, args, sig, gasLimit);
  releaseInstance(live);
  return out;
}

function run(live: LiveInstance, exportName: string, args: readonly WasmValue[], sig: ExportSignature, gasLimit: bigint): CallOutcome {
  const used = (): bigint => gasLimit - (live.gasG.value as bigint);
  const fn = live.exports[exportName] as (...a: WasmValue[]) => unknown;
  const start = live.exports[EXPORT_START] as (() => void) | undefined;
  try {
    start?.();
    const r = fn(...args);
    const results = sig.results.length === 0 ? [] : sig.results.length === 1 ? [r as WasmValue] : [...(r as WasmValue[])];
    return { ok: true, results, gasUsed: used() };
  } catch (e) {
    if (e instanceof OutOfGasSignal) return { ok: false, kind: 'OutOfGas', message: 'out of gas', gasUsed: gasLimit };
    if (e instanceof ContractPanic) return { ok: false, kind: 'Panic', message: e.message, gasUsed: used() };
    if (e instanceof WebAssembly.RuntimeError) {
      const s = live.statusG.value as number;
      if (s === STATUS_OUT_OF_GAS) return { ok: false, kind: 'OutOfGas', message: 'out of gas', gasUsed: gasLimit };
      if (s === STATUS_STACK_OVERFLOW) return { ok: false, kind: 'StackOverflow', message: 'call depth limit exceeded', gasUsed: used() };
      return { ok: false, kind: 'Trap', message: canonicalTrapMessage(e.message), gasUsed: used() };
    }
    if (e instanceof VmNodeFault) throw e;
    // Includes RangeError "Maximum call stack size exceeded": the engine's own limit is not a contract rule.
    throw new VmNodeFault(`node fault during ${exportName}: ${String(e)}`, e);
  }
}
