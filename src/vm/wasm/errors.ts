/**
 * Typed failures of the wasm layer. Three families, never mixed:
 * - WasmRejected: the module bytes break a rule of docs/vm-spec.md (deploy-time; deterministic).
 * - ContractPanic: thrown by a host function to end the call as a contract-level Panic (deterministic).
 * - VmNodeFault: something went wrong in *this node* (engine limit, host bug, bad caller input). It must never be
 *   turned into a contract result, because another node would not see it.
 */

export type WasmRejectCode =
  | 'NotWasm'
  | 'Malformed'
  | 'ForbiddenFeature'
  | 'ForbiddenImport'
  | 'ForbiddenExport'
  | 'InvalidIndex'
  | 'TypeMismatch'
  | 'TooLarge'
  | 'EngineRejected'
  | 'BadPolicy';

export class WasmRejected extends Error {
  override readonly name = 'WasmRejected';
  constructor(
    readonly code: WasmRejectCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/** Thrown by a host function to end the call with outcome kind 'Panic' (e.g. the contract called `panic`). */
export class ContractPanic extends Error {
  override readonly name = 'ContractPanic';
}

/** A fault of this node, not of the contract. Callers must not record it as a contract outcome. */
export class VmNodeFault extends Error {
  override readonly name = 'VmNodeFault';
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

export function reject(code: WasmRejectCode, message: string): never {
  throw new WasmRejected(code, message);
}
