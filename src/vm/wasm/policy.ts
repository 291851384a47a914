/**
 * The chain's VM policy: every number a second implementation needs to give the same result and the same gas.
 * docs/vm-spec.md describes version 2; changing any default here is a new version. Versions 1 and 2 instrument
 * modules identically; they differ in how the host runs nested calls: in version 2 every wasm instance of one
 * call chain shares one frame budget (the host passes the caller's depth to callExport), in version 1 each
 * instance had its own.
 */
import type { ValType } from './types';
import { reject } from './errors';

/** One host function the contract may import, with its exact signature. */
export interface HostImportSpec {
  readonly module: string;
  readonly name: string;
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
}

/** Gas weights. Every instruction costs `base` unless a more specific class applies. */
export interface GasTable {
  readonly base: number;
  /** i32/i64 div_s, div_u, rem_s, rem_u; f32/f64 div and sqrt. */
  readonly divRem: number;
  /** Loads and stores. */
  readonly memoryAccess: number;
  readonly call: number;
  readonly callIndirect: number;
  /** Structural instructions that do no work at run time: block, loop, else, end, nop. */
  readonly structural: number;
  /** memory.grow: fixed part, plus `memoryGrowPerPage` per requested page (charged before growing). */
  readonly memoryGrow: number;
  readonly memoryGrowPerPage: number;
  /** memory.copy/fill/init: fixed part, plus 1 per started `bulkBytesPerGas` bytes of the length operand. */
  readonly bulk: number;
  readonly bulkBytesPerGas: number;
}

export interface WasmPolicy {
  readonly version: number;
  /** Memory maximum forced on the module, in 64 KiB pages. */
  readonly memoryPagesMax: number;
  /** Call-depth limit in frame units (see frameUnitSlots). */
  readonly stackFramesMax: number;
  readonly floats: 'forbid' | 'canonicalize';
  readonly imports: readonly HostImportSpec[];
  readonly gasTable?: GasTable;
}

export const GAS_TABLE_V1: GasTable = {
  base: 1,
  divRem: 4,
  memoryAccess: 2,
  call: 5,
  callIndirect: 10,
  structural: 0,
  memoryGrow: 100,
  memoryGrowPerPage: 1000,
  bulk: 5,
  bulkBytesPerGas: 8,
};

/**
 * Structural bounds (version 1). Each keeps parsing/instrumenting cost linear and small, and keeps native
 * frames small enough that the depth limit is reached far before any engine's own stack limit.
 */
export const WASM_LIMITS_V1 = {
  moduleBytesMax: 4 * 1024 * 1024,
  typesMax: 4096,
  funcParamsMax: 64,
  funcResultsMax: 16,
  importsMax: 256,
  functionsMax: 10_000,
  globalsMax: 1000,
  exportsMax: 1000,
  exportNameBytesMax: 256,
  elemSegmentsMax: 1000,
  dataSegmentsMax: 10_000,
  tableElementsMax: 10_000,
  /** Params + declared locals of one function. */
  localsPerFunctionMax: 1000,
  functionBodyBytesMax: 512 * 1024,
  brTableTargetsMax: 10_000,
  /** Operand-stack height of one function (computed by validation). */
  operandStackMax: 1000,
  /** Block nesting of one function. */
  controlDepthMax: 1000,
  customSectionsMax: 64,
  /**
   * Every function costs 1 + floor((params + locals + max operand stack) / frameUnitSlots) units of the
   * depth budget, so a big frame counts as several small ones.
   */
  frameUnitSlots: 32,
} as const;

export const DEFAULT_POLICY_V1: WasmPolicy = {
  version: 1,
  memoryPagesMax: 256,
  stackFramesMax: 1024,
  floats: 'forbid',
  imports: [],
  gasTable: GAS_TABLE_V1,
};

/** Version 2: the same numbers; the frame budget is shared by all instances of a call chain (vm-spec §5). */
export const DEFAULT_POLICY_V2: WasmPolicy = { ...DEFAULT_POLICY_V1, version: 2 };

/** Policy versions this code implements. */
export const POLICY_VERSIONS: readonly number[] = [1, 2];

/** Names this layer adds to the instrumented module's exports; a contract may not export them itself. */
export const RESERVED_EXPORT_PREFIX = '__iscp_';
export const EXPORT_GAS = '__iscp_gas';
export const EXPORT_STATUS = '__iscp_status';
export const EXPORT_DEPTH = '__iscp_depth';
export const EXPORT_MEMORY = '__iscp_memory';
/** `__iscp_global_<index>`: the contract's mutable i32/i64 global <index>, re-exported so a reused instance can be reset. */
export const EXPORT_GLOBAL_PREFIX = '__iscp_global_';
/** The module's start function, moved out of instantiation so that it runs metered at the start of each call. */
export const EXPORT_START = '__iscp_start';

/** Values of the status global when the instrumentation traps on purpose. */
export const STATUS_OUT_OF_GAS = 1;
export const STATUS_STACK_OVERFLOW = 2;

export function checkPolicy(p: WasmPolicy): GasTable {
  if (!POLICY_VERSIONS.includes(p.version)) reject('BadPolicy', `unsupported VM policy version ${p.version} (this code implements ${POLICY_VERSIONS.join(', ')})`);
  if (!Number.isInteger(p.memoryPagesMax) || p.memoryPagesMax < 0 || p.memoryPagesMax > 65536) {
    reject('BadPolicy', `memoryPagesMax ${p.memoryPagesMax} not in 0..65536`);
  }
  if (!Number.isInteger(p.stackFramesMax) || p.stackFramesMax < 1 || p.stackFramesMax > 100_000) {
    reject('BadPolicy', `stackFramesMax ${p.stackFramesMax} not in 1..100000`);
  }
  if (p.floats !== 'forbid' && p.floats !== 'canonicalize') reject('BadPolicy', `floats must be forbid|canonicalize`);
  const g = p.gasTable ?? GAS_TABLE_V1;
  for (const [k, v] of Object.entries(g)) {
    if (!Number.isInteger(v) || v < 0 || v > 1_000_000_000) reject('BadPolicy', `gasTable.${k} = ${v} not an integer in 0..1e9`);
  }
  if (g.bulkBytesPerGas < 1) reject('BadPolicy', 'gasTable.bulkBytesPerGas must be >= 1');
  return g;
}
