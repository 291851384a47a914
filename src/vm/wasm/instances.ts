/**
 * Instances for callExport. The rule (vm-spec §7) is a fresh instance per call: memory, globals and tables start
 * from the module's initial state and nothing of one call is visible to the next. Creating an instance costs
 * mostly its memory (an engine reservation + mapping, ~40 µs of a ~115 µs instantiation for a 1-page contract),
 * so an instance whose call ended without a node fault is kept idle and, before its next use, put back into
 * exactly its initial state:
 * - linear memory: overwritten with a copy taken right after instantiation (before any code ran); an instance
 *   whose memory grew is dropped (memory cannot shrink);
 * - the contract's mutable globals: set to their constant initial values (the instrumenter re-exports them);
 * - the runner's gas/status/depth globals: reloaded by every call;
 * - tables: no allowed instruction writes a table (table.set/grow/fill/init/copy, elem.drop are forbidden);
 * - data segments: active ones are dropped at instantiation anyway; a module with a passive segment is never
 *   reused, since a data.drop would outlive the call.
 * Modules that do not fit these conditions (mutable float globals: NaN payloads cannot be restored exactly
 * through JS; initial memory above REUSE_MEMORY_BYTES_MAX) get a fresh instance every call, as before.
 */
import { ContractPanic, VmNodeFault } from './errors';
import { EXPORT_DEPTH, EXPORT_GAS, EXPORT_GLOBAL_PREFIX, EXPORT_MEMORY, EXPORT_STATUS } from './policy';
import { ExternalKind, T, type WasmModule } from './types';

export type WasmValue = number | bigint;

/** What a host function sees of the calling instance. */
export interface HostContext {
  /** A view of the instance's memory as it is now (take a new view after anything that may grow it). */
  memory(): Uint8Array;
  /** Spends gas; throws (ending the call with OutOfGas) if not enough is left. */
  chargeGas(amount: number | bigint): void;
  gasLeft(): bigint;
  /**
   * Frame units the calling instance's call chain uses right now (its depth counter, including the function
   * that called the host). A nested call made from this host function passes it as `CallOptions.depth`, so
   * all instances of one call chain share one frame budget (docs/vm-spec.md §5).
   */
  depth(): number;
}

export type HostFunction = (ctx: HostContext, ...args: WasmValue[]) => WasmValue | void;
/** module -> name -> function. Must provide every import the program declares. */
export type HostFunctions = Readonly<Record<string, Readonly<Record<string, HostFunction>>>>;

/** Internal signal: gas ran out inside a host function's chargeGas. */
export class OutOfGasSignal extends Error {}

/** How to put a used instance of one program back into its initial state; null = never reuse. */
export interface ReusePlan {
  /** Initial values of the contract's mutable globals, by their reserved export name. */
  readonly globals: readonly { readonly name: string; readonly value: WasmValue }[];
  readonly memoryBytes: number;
  /** The initial memory, copied from the first instance before any code ran. */
  pristine: Uint8Array | undefined;
}

/** Initial memories above this are not copied back: a fresh instance would be cheaper (16 pages = 1 MiB). */
export const REUSE_MEMORY_BYTES_MAX = 16 * 65536;
/** Idle instances kept over all programs; each holds an engine memory reservation (~10 GiB of address space). */
export const IDLE_INSTANCES_MAX = 16;

/** `m` is the parsed instrumented module; `runnerGlobals` the indices of the gas/status/depth globals. */
export function reusePlan(m: WasmModule): ReusePlan | null {
  if (m.datas.some((d) => d.mode === 'passive')) return null;
  const runnerGlobals = new Set(m.exports.filter((e) => e.kind === ExternalKind.global && (e.name === EXPORT_GAS || e.name === EXPORT_STATUS || e.name === EXPORT_DEPTH)).map((e) => e.index));
  const globals: { name: string; value: WasmValue }[] = [];
  for (const [i, g] of m.globals.entries()) {
    if (!g.mutable || runnerGlobals.has(i)) continue;
    if (g.type !== T.i32 && g.type !== T.i64) return null;
    const name = `${EXPORT_GLOBAL_PREFIX}${i}`;
    if (!m.exports.some((e) => e.kind === ExternalKind.global && e.index === i && e.name === name)) return null;
    globals.push({ name, value: g.type === T.i64 ? BigInt.asIntN(64, g.init.value) : Number(BigInt.asIntN(32, g.init.value)) });
  }
  const memoryBytes = (m.memories[0]?.min ?? 0) * 65536;
  if (memoryBytes > REUSE_MEMORY_BYTES_MAX) return null;
  return { globals, memoryBytes, pristine: undefined };
}

/** What this file needs of a WasmProgram (kept structural to avoid an import cycle with runner.ts). */
export interface InstanceSource {
  readonly module: WebAssembly.Module;
  readonly imports: readonly { readonly module: string; readonly name: string }[];
  readonly reuse: ReusePlan | null;
}

/** One instance and the HostContext its host functions get (the instance's own globals and memory). */
export class LiveInstance implements HostContext {
  gasG!: WebAssembly.Global;
  statusG!: WebAssembly.Global;
  depthG!: WebAssembly.Global;
  mem: WebAssembly.Memory | undefined;
  exports!: WebAssembly.Exports;
  resets: [WebAssembly.Global, WasmValue][] = [];
  /** The current call's host functions in import order, resolved from `fnsOf`. */
  fns: HostFunction[] = [];
  fnsOf: HostFunctions | undefined;

  constructor(readonly source: InstanceSource) {}

  memory(): Uint8Array {
    if (!this.mem) throw new ContractPanic('the contract has no memory');
    return new Uint8Array(this.mem.buffer);
  }
  chargeGas(amount: number | bigint): void {
    const n = BigInt(amount);
    if (n < 0n) throw new VmNodeFault(`negative gas charge ${n}`);
    const left = this.gasG.value as bigint;
    if (n > left) {
      this.gasG.value = 0n;
      throw new OutOfGasSignal();
    }
    this.gasG.value = left - n;
  }
  gasLeft(): bigint {
    return this.gasG.value as bigint;
  }
  depth(): number {
    return this.depthG.value as number;
  }
}

/** Idle instances, oldest first (a few programs are hot; a linear scan of at most 16 entries is cheap). */
const idle: LiveInstance[] = [];

/**
 * An instance of `p` in its initial state with `host` bound: an idle one reset, or a new one (`fresh` forces
 * new). Throws WebAssembly.RuntimeError if instantiation traps, VmNodeFault if `host` lacks an import.
 */
export function acquireInstance(p: InstanceSource, host: HostFunctions, fresh: boolean): LiveInstance {
  let live: LiveInstance | undefined;
  if (!fresh && reuseEnabled && p.reuse) {
    for (let i = idle.length - 1; i >= 0; i--) {
      if (idle[i]?.source === p) {
        live = idle.splice(i, 1)[0] as LiveInstance;
        reset(live, p.reuse);
        break;
      }
    }
  }
  live ??= instantiate(p);
  if (live.fnsOf !== host) bindHost(live, host);
  return live;
}

/** Keeps `live` for reuse after a call that ended without a node fault (outcome ok or a contract failure). */
export function releaseInstance(live: LiveInstance): void {
  const plan = live.source.reuse;
  if (!reuseEnabled || !plan || plan.pristine === undefined) return;
  if (live.mem && live.mem.buffer.byteLength !== plan.memoryBytes) return;
  idle.push(live);
  if (idle.length > IDLE_INSTANCES_MAX) idle.shift();
}

/** Idle instances right now (for tests). */
export const idleInstances = (): number => idle.length;

let reuseEnabled = true;
/**
 * Turns reuse off (every call instantiates) or back on; returns the previous setting. Outcomes are the same
 * either way — the self-test runs its workload both ways to show that on each engine.
 */
export function setInstanceReuse(on: boolean): boolean {
  const was = reuseEnabled;
  reuseEnabled = on;
  if (!on) idle.length = 0;
  return was;
}

function instantiate(p: InstanceSource): LiveInstance {
  const live = new LiveInstance(p);
  const imports: Record<string, Record<string, (...a: WasmValue[]) => WasmValue | void>> = {};
  p.imports.forEach(({ module, name }, k) => {
    (imports[module] ??= {})[name] = (...a: WasmValue[]) => (live.fns[k] as HostFunction)(live, ...a);
  });
  const instance = new WebAssembly.Instance(p.module, imports as WebAssembly.Imports);
  live.exports = instance.exports;
  live.gasG = instance.exports[EXPORT_GAS] as WebAssembly.Global;
  live.statusG = instance.exports[EXPORT_STATUS] as WebAssembly.Global;
  live.depthG = instance.exports[EXPORT_DEPTH] as WebAssembly.Global;
  live.mem = instance.exports[EXPORT_MEMORY] as WebAssembly.Memory | undefined;
  if (p.reuse) {
    live.resets = p.reuse.globals.map(({ name, value }) => [instance.exports[name] as WebAssembly.Global, value]);
    // Every instance starts identical, so the first one's untouched memory is the initial state of all.
    if (p.reuse.pristine === undefined) p.reuse.pristine = live.mem ? new Uint8Array(live.mem.buffer).slice() : new Uint8Array(0);
  }
  return live;
}

function reset(live: LiveInstance, plan: ReusePlan): void {
  if (live.mem) new Uint8Array(live.mem.buffer).set(plan.pristine as Uint8Array);
  for (const [g, v] of live.resets) g.value = v;
  live.statusG.value = 0;
}

function bindHost(live: LiveInstance, host: HostFunctions): void {
  live.fns = live.source.imports.map(({ module, name }) => {
    const fn = host[module]?.[name];
    if (typeof fn !== 'function') throw new VmNodeFault(`host does not provide ${module}.${name}`);
    return fn;
  });
  live.fnsOf = host;
}
