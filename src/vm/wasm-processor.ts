import { hname, type Hname } from '../protocol';
import type { Dict } from './dict';
import { VMError, type VMErrorKind } from './errors';
import { hostFunctions, HOST_IMPORTS, resultsOf } from './hostabi';
import { VM_WASM, type EntryPoint, type Processor, type VMType } from './processor';
import type { Sandbox, SandboxView } from './sandbox';
import { callExport, compileProgramSync, ContractPanic, DEFAULT_POLICY_V1, instrumentModule, WasmRejected, type HostFunction, type WasmPolicy, type WasmProgram } from './wasm/index';

/** The chain's wasm policy: version 1 defaults with the host ABI as the import allowlist. */
export const WASM_POLICY: WasmPolicy = { ...DEFAULT_POLICY_V1, imports: HOST_IMPORTS };

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

  /**
   * Runs one export with the request's remaining gas. Host operations charge the request's meter through the
   * sandbox and the same amount is charged to the wasm counter, so the two agree; instruction gas is added
   * to the meter when the call returns.
   */
  private run(exportName: string, sb: SandboxView, isView: boolean): Dict {
    let hostGas = 0n;
    let failure: VMError | undefined;
    const wrap =
      (f: HostFunction): HostFunction =>
      (c, ...args) => {
        const before = sb.gasLeft();
        try {
          return f(c, ...args);
        } catch (e) {
          failure ??= e instanceof VMError ? e : new VMError('Panic', e instanceof Error ? e.message : String(e));
          throw new ContractPanic(failure.message);
        } finally {
          const delta = before - sb.gasLeft();
          hostGas += delta;
          // Throws OutOfGas inside the program if its own counter has less left than the meter (it never has more).
          if (!failure && delta > 0n) c.chargeGas(delta);
        }
      };
    const host = hostFunctions(sb, isView, wrap);
    const limit = sb.gasLeft();
    const out = callExport(this.program, exportName, [], host, limit);
    const instructionGas = out.gasUsed - hostGas;
    if (instructionGas > 0n) {
      try {
        sb.chargeGas(instructionGas > sb.gasLeft() ? sb.gasLeft() : instructionGas);
      } catch {
        /* the meter is at its limit; the outcome below says why */
      }
    }
    if (out.ok) return resultsOf(host);
    if (failure) throw failure;
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
