import { hname, type Hname } from '../protocol';
import type { Dict } from './dict';
import { VMError, type VMErrorKind } from './errors';
import { beginHostCall, endHostCall, HOST_FUNCTIONS, HOST_IMPORTS, wasmCallerDepth } from './hostabi';
import { VM_WASM, type EntryPoint, type Processor, type VMType } from './processor';
import type { Sandbox, SandboxView } from './sandbox';
import { callExport, compileProgramSync, DEFAULT_POLICY_V2, instrumentModule, WasmRejected, type WasmPolicy, type WasmProgram } from './wasm/index';

/**
 * The chain's wasm policy: version 2 defaults with the host ABI as the import allowlist. Version 2: a nested
 * wasm call starts at its caller's depth, so every instance of a request's call chain shares one frame budget.
 */
export const WASM_POLICY: WasmPolicy = { ...DEFAULT_POLICY_V2, imports: HOST_IMPORTS };

/** Exported functions named `view_<name>` are views called <name>; other `() -> ()` exports are full entry points. */
export const VIEW_EXPORT_PREFIX = 'view_';

export class WasmProcessor implements Processor {
  readonly vmType = VM_WASM;
  private readonly eps = new Map<Hname, EntryPoint>();

  constructor(private readonly program: WasmProgram) {
    for (const exportName of program.exports) {
      const sig = program.signatures.get(exportName);
      if (!sig || sig.params.length !== 0 || sig.results.length !== 0) continue; // helpers, not entry points
      const isView = exportName.startsWith(VIEW_EXPORT_PREFIX);
      const name = isView ? exportName.slice(VIEW_EXPORT_PREFIX.length) : exportName;
      const code = hname(name);
      if (this.eps.has(code)) continue;
      this.eps.set(
        code,
        isView
          ? { isView: true, name, call: (sb: SandboxView) => this.run(exportName, sb, true) }
          : { isView: false, name, call: (sb: Sandbox) => this.run(exportName, sb, false) },
      );
    }
  }

  getEntryPoint(code: Hname): EntryPoint | undefined {
    return this.eps.get(code);
  }

  entryPoints(): readonly EntryPoint[] {
    return [...this.eps.values()];
  }

  /**
   * Runs one export with the request's remaining gas. Host operations charge the request's meter through the
   * sandbox and the same amount is charged to the wasm counter, so the two agree; instruction gas is added
   * to the meter when the call returns. The depth counter starts where the calling wasm instance (if any) is,
   * so nesting cannot multiply the frame budget (and the engine's stack is never what stops a contract).
   */
  private run(exportName: string, sb: SandboxView, isView: boolean): Dict {
    const depth = wasmCallerDepth();
    const call = beginHostCall(sb, isView);
    let out;
    try {
      out = callExport(this.program, exportName, [], HOST_FUNCTIONS, sb.gasLeft(), { depth });
    } finally {
      endHostCall(call);
    }
    const instructionGas = out.gasUsed - call.hostGas;
    if (instructionGas > 0n) {
      try {
        sb.chargeGas(instructionGas > sb.gasLeft() ? sb.gasLeft() : instructionGas);
      } catch {
        /* the meter is at its limit; the outcome below says why */
      }
    }
    if (out.ok) return call.results;
    if (call.failure) throw call.failure;
    const kind: VMErrorKind = out.kind;
    throw new VMError(kind, out.message);
  }
}

/** The 'wasm' VM type: instrument at deployment, compile (cached by hash) at load. */
export const wasmVMType: VMType = {
  name: VM_WASM,
  prepare(binary: Uint8Array): Uint8Array {
    try {
      return instrumentModule(binary, WASM_POLICY);
    } catch (e) {
      if (e instanceof WasmRejected) throw new VMError('InvalidProgram', e.message);
      throw new VMError('InvalidProgram', (e as Error).message);
    }
  },
  create(prepared: Uint8Array): Processor {
    try {
      return new WasmProcessor(compileProgramSync(prepared));
    } catch (e) {
      throw new VMError('InvalidProgram', (e as Error).message);
    }
  },
};
