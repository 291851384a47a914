/** Public API of the deterministic wasm layer: instrumentModule at deploy time, callExport at run time. */
import { reject } from './errors';
import { encodeModule } from './encode';
import { instrument } from './instrument';
import { parseModule } from './parse';
import { checkPolicy, type WasmPolicy } from './policy';
import { validateModule } from './validate';

export { WasmRejected, ContractPanic, VmNodeFault, type WasmRejectCode } from './errors';
export {
  DEFAULT_POLICY_V1,
  DEFAULT_POLICY_V2,
  GAS_TABLE_V1,
  WASM_LIMITS_V1,
  EXPORT_GAS,
  EXPORT_MEMORY,
  type GasTable,
  type HostImportSpec,
  type WasmPolicy,
} from './policy';
export type { ValType } from './types';
export { setInstanceReuse, IDLE_INSTANCES_MAX, REUSE_MEMORY_BYTES_MAX } from './instances';
export {
  WasmProgram,
  ProgramCache,
  defaultProgramCache,
  compileProgramSync,
  callExport,
  canonicalTrapMessage,
  type CallOptions,
  type CallOutcome,
  type FailureKind,
  type HostContext,
  type HostFunction,
  type HostFunctions,
  type WasmValue,
  type ExportSignature,
} from './runner';

/**
 * Validates `original` against the wasm rules and `policy`, then returns the instrumented module bytes.
 * Throws WasmRejected (deterministic: the same bytes and policy are rejected the same way everywhere).
 */
export function instrumentModule(original: Uint8Array, policy: WasmPolicy): Uint8Array {
  const gasTable = checkPolicy(policy);
  const validated = validateModule(parseModule(original), policy);
  // Second opinion from the engine on the general wasm rules (not on our feature rules, checked above).
  if (!WebAssembly.validate(original as Uint8Array<ArrayBuffer>)) reject('EngineRejected', 'the engine rejects the module as invalid wasm');
  const out = encodeModule(instrument(validated, policy, gasTable));
  if (!WebAssembly.validate(out as Uint8Array<ArrayBuffer>)) {
    // Same bytes give the same result on every node, so this is still a deterministic rejection; it means a bug here.
    reject('EngineRejected', 'instrumented module failed engine validation (VM instrumenter bug, please report)');
  }
  return out;
}
