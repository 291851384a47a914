import { blake2b256, toHex, utf8, type Hname } from '../protocol';
import { hname } from '../protocol';
import type { Dict } from './dict';
import { VMError } from './errors';
import type { Sandbox, SandboxView } from './sandbox';

/** The spec's entry point: a full entry point gets the full sandbox, a view only the read-only one. */
export type EntryPoint =
  | { readonly isView: false; readonly name: string; call(ctx: Sandbox): Dict | void }
  | { readonly isView: true; readonly name: string; call(ctx: SandboxView): Dict | void };

/** The spec's processor: a VM with a program loaded. It only finds entry points. */
export interface Processor {
  readonly vmType: string;
  getEntryPoint(code: Hname): EntryPoint | undefined;
  /** Every entry point, for messages that list what exists (never consulted to decide a call). */
  entryPoints(): readonly EntryPoint[];
}

/**
 * The spec's VMConstructor, per VM type. `prepare` runs once at deployment: it validates (and for wasm,
 * instruments) the program and throws VMError('InvalidProgram') when it is unusable; `create` loads a prepared
 * program. Both must be deterministic.
 */
export interface VMType {
  readonly name: string;
  prepare(binary: Uint8Array): Uint8Array;
  create(prepared: Uint8Array): Processor;
}

/* ---------------------------------------------------------------- native processors */

export type NativeFunc = { view?: false; fn: (ctx: Sandbox) => Dict | void } | { view: true; fn: (ctx: SandboxView) => Dict | void };

/** A processor written in TypeScript (core contracts, test contracts). */
export class NativeProcessor implements Processor {
  readonly vmType = VM_NATIVE;
  private readonly eps = new Map<Hname, EntryPoint>();
  constructor(
    readonly name: string,
    funcs: Record<string, NativeFunc>,
  ) {
    for (const [epName, f] of Object.entries(funcs)) {
      const code = hname(epName);
      if (this.eps.has(code)) throw new Error(`entry point hname collision in ${name}: ${epName}`);
      this.eps.set(code, f.view === true ? { isView: true, name: epName, call: f.fn } : { isView: false, name: epName, call: f.fn });
    }
  }
  getEntryPoint(code: Hname): EntryPoint | undefined {
    return this.eps.get(code);
  }
  entryPoints(): readonly EntryPoint[] {
    return [...this.eps.values()];
  }
  /** Program hash of a native program: blake2b-256("native:" ‖ name). Its "binary" is the name. */
  get programHash(): Uint8Array {
    return nativeProgramHash(this.name);
  }
}

export const VM_NATIVE = 'native';
export const VM_WASM = 'wasm';

export const nativeProgramHash = (name: string): Uint8Array => blake2b256(utf8(`native:${name}`));

/**
 * Which VM types and native programs a node offers, plus a cache of loaded processors by program hash (the
 * cache changes speed, never results). One per node; tests make their own.
 */
export class ProcessorRegistry {
  private readonly vmTypes = new Map<string, VMType>();
  private readonly natives = new Map<string, NativeProcessor>();
  private readonly loaded = new Map<string, Processor>();
  /** Bound on cached processors (each wasm one holds a compiled module). */
  static readonly cachedProcessorsMax = 256;

  registerVMType(t: VMType): this {
    this.vmTypes.set(t.name, t);
    return this;
  }
  vmType(name: string): VMType | undefined {
    return this.vmTypes.get(name);
  }
  registerNative(p: NativeProcessor): this {
    this.natives.set(toHex(p.programHash), p);
    return this;
  }
  native(programHash: Uint8Array): NativeProcessor | undefined {
    return this.natives.get(toHex(programHash));
  }

  /** Validates/instruments a program being deployed. */
  prepare(vmType: string, binary: Uint8Array): Uint8Array {
    const t = this.vmTypes.get(vmType);
    if (!t) throw new VMError('InvalidProgram', `unknown VM type '${vmType}'`);
    return t.prepare(binary);
  }

  /**
   * The processor for a deployed program. `loadBinary` fetches the program from the blob registry on a cache
   * miss; it is re-prepared (deterministically) because prepared programs are not kept in the state.
   */
  processor(vmType: string, programHash: Uint8Array, loadBinary: () => Uint8Array): Processor {
    if (vmType === VM_NATIVE) {
      const p = this.native(programHash);
      if (!p) throw new VMError('NoSuchContract', `native program ${toHex(programHash).slice(0, 16)}… is not available on this node`);
      return p;
    }
    const key = `${vmType}:${toHex(programHash)}`;
    const hit = this.loaded.get(key);
    if (hit) return hit;
    const t = this.vmTypes.get(vmType);
    if (!t) throw new VMError('InvalidProgram', `unknown VM type '${vmType}'`);
    const p = t.create(t.prepare(loadBinary()));
    if (this.loaded.size >= ProcessorRegistry.cachedProcessorsMax) this.loaded.delete(this.loaded.keys().next().value as string);
    this.loaded.set(key, p);
    return p;
  }
}
