/**
 * The instruction set this VM accepts, with each instruction's immediates, operand types, gas class and float
 * behaviour. Anything not listed is either forbidden (FORBIDDEN_OPCODES says which feature) or unknown.
 * Prefixed instructions are keyed as (prefix << 8) | subop, e.g. memory.fill = 0xfc0b.
 */

/** Kinds of immediates. */
export const Imm = {
  none: 0,
  blockType: 1,
  label: 2,
  brTable: 3,
  func: 4,
  callIndirect: 5,
  local: 6,
  global: 7,
  memArg: 8,
  memZero: 9,
  i32: 10,
  i64: 11,
  f32: 12,
  f64: 13,
  selectT: 14,
  memoryInit: 15,
  dataDrop: 16,
  memoryCopy: 17,
} as const;
export type ImmKind = (typeof Imm)[keyof typeof Imm];

export type GasClass = 'base' | 'divRem' | 'memoryAccess' | 'call' | 'callIndirect' | 'structural' | 'memoryGrow' | 'bulk';

export interface OpInfo {
  readonly code: number;
  readonly name: string;
  readonly imm: ImmKind;
  /** Fixed operand types as letters (i=i32 I=i64 f=f32 F=f64), or undefined when the validator handles it. */
  readonly params?: string;
  readonly results?: string;
  readonly gas: GasClass;
  /** Uses or produces a float value (rejected under floats: 'forbid'). */
  readonly float: boolean;
  /** May produce a NaN whose bits differ between engines: canonicalized under floats: 'canonicalize'. */
  readonly nan?: 'f32' | 'f64';
  /** Natural alignment (log2) of a load/store. */
  readonly align?: number;
}

const ops: OpInfo[] = [];
function def(code: number, name: string, imm: ImmKind, sig: string | undefined, gas: GasClass = 'base', extra: Partial<OpInfo> = {}): void {
  const [params, results] = sig === undefined ? [undefined, undefined] : sig.split(':');
  const float = sig !== undefined && /[fF]/.test(sig);
  ops.push({ code, name, imm, params, results, gas, float, ...extra });
}

// Control (operands checked by the validator).
def(0x00, 'unreachable', Imm.none, undefined);
def(0x01, 'nop', Imm.none, ':', 'structural');
def(0x02, 'block', Imm.blockType, undefined, 'structural');
def(0x03, 'loop', Imm.blockType, undefined, 'structural');
def(0x04, 'if', Imm.blockType, undefined);
def(0x05, 'else', Imm.none, undefined, 'structural');
def(0x0b, 'end', Imm.none, undefined, 'structural');
def(0x0c, 'br', Imm.label, undefined);
def(0x0d, 'br_if', Imm.label, undefined);
def(0x0e, 'br_table', Imm.brTable, undefined);
def(0x0f, 'return', Imm.none, undefined);
def(0x10, 'call', Imm.func, undefined, 'call');
def(0x11, 'call_indirect', Imm.callIndirect, undefined, 'callIndirect');
// Parametric and variables.
def(0x1a, 'drop', Imm.none, undefined);
def(0x1b, 'select', Imm.none, undefined);
def(0x1c, 'select_t', Imm.selectT, undefined);
def(0x20, 'local.get', Imm.local, undefined);
def(0x21, 'local.set', Imm.local, undefined);
def(0x22, 'local.tee', Imm.local, undefined);
def(0x23, 'global.get', Imm.global, undefined);
def(0x24, 'global.set', Imm.global, undefined);
// Memory.
const loads: [number, string, string, number][] = [
  [0x28, 'i32.load', 'i', 2], [0x29, 'i64.load', 'I', 3], [0x2a, 'f32.load', 'f', 2], [0x2b, 'f64.load', 'F', 3],
  [0x2c, 'i32.load8_s', 'i', 0], [0x2d, 'i32.load8_u', 'i', 0], [0x2e, 'i32.load16_s', 'i', 1], [0x2f, 'i32.load16_u', 'i', 1],
  [0x30, 'i64.load8_s', 'I', 0], [0x31, 'i64.load8_u', 'I', 0], [0x32, 'i64.load16_s', 'I', 1], [0x33, 'i64.load16_u', 'I', 1],
  [0x34, 'i64.load32_s', 'I', 2], [0x35, 'i64.load32_u', 'I', 2],
];
for (const [c, n, r, a] of loads) def(c, n, Imm.memArg, `i:${r}`, 'memoryAccess', { align: a });
const stores: [number, string, string, number][] = [
  [0x36, 'i32.store', 'i', 2], [0x37, 'i64.store', 'I', 3], [0x38, 'f32.store', 'f', 2], [0x39, 'f64.store', 'F', 3],
  [0x3a, 'i32.store8', 'i', 0], [0x3b, 'i32.store16', 'i', 1], [0x3c, 'i64.store8', 'I', 0], [0x3d, 'i64.store16', 'I', 1],
  [0x3e, 'i64.store32', 'I', 2],
];
for (const [c, n, v, a] of stores) def(c, n, Imm.memArg, `i${v}:`, 'memoryAccess', { align: a });
def(0x3f, 'memory.size', Imm.memZero, ':i');
def(0x40, 'memory.grow', Imm.memZero, 'i:i', 'memoryGrow');
// Constants.
def(0x41, 'i32.const', Imm.i32, ':i');
def(0x42, 'i64.const', Imm.i64, ':I');
def(0x43, 'f32.const', Imm.f32, ':f');
def(0x44, 'f64.const', Imm.f64, ':F');
// Numeric.
function range(start: number, names: string[], sig: string, gasOf: (n: string) => GasClass = () => 'base', nan?: 'f32' | 'f64', nanOf?: (n: string) => boolean): void {
  names.forEach((n, i) => def(start + i, n, Imm.none, sig, gasOf(n), nan && nanOf?.(n) ? { nan } : {}));
}
const cmpI = ['eq', 'ne', 'lt_s', 'lt_u', 'gt_s', 'gt_u', 'le_s', 'le_u', 'ge_s', 'ge_u'];
const cmpF = ['eq', 'ne', 'lt', 'gt', 'le', 'ge'];
const binI = ['add', 'sub', 'mul', 'div_s', 'div_u', 'rem_s', 'rem_u', 'and', 'or', 'xor', 'shl', 'shr_s', 'shr_u', 'rotl', 'rotr'];
const unF = ['abs', 'neg', 'ceil', 'floor', 'trunc', 'nearest', 'sqrt'];
const binF = ['add', 'sub', 'mul', 'div', 'min', 'max', 'copysign'];
const divish = (n: string): GasClass => (/div|rem|sqrt/.test(n) ? 'divRem' : 'base');
// abs, neg and copysign only move the sign bit; every other float arithmetic result may be an engine-chosen NaN.
const nanProducing = (n: string): boolean => !/abs|neg|copysign/.test(n);
def(0x45, 'i32.eqz', Imm.none, 'i:i');
range(0x46, cmpI.map((n) => `i32.${n}`), 'ii:i');
def(0x50, 'i64.eqz', Imm.none, 'I:i');
range(0x51, cmpI.map((n) => `i64.${n}`), 'II:i');
range(0x5b, cmpF.map((n) => `f32.${n}`), 'ff:i');
range(0x61, cmpF.map((n) => `f64.${n}`), 'FF:i');
range(0x67, ['i32.clz', 'i32.ctz', 'i32.popcnt'], 'i:i');
range(0x6a, binI.map((n) => `i32.${n}`), 'ii:i', divish);
range(0x79, ['i64.clz', 'i64.ctz', 'i64.popcnt'], 'I:I');
range(0x7c, binI.map((n) => `i64.${n}`), 'II:I', divish);
range(0x8b, unF.map((n) => `f32.${n}`), 'f:f', divish, 'f32', nanProducing);
range(0x92, binF.map((n) => `f32.${n}`), 'ff:f', divish, 'f32', nanProducing);
range(0x99, unF.map((n) => `f64.${n}`), 'F:F', divish, 'f64', nanProducing);
range(0xa0, binF.map((n) => `f64.${n}`), 'FF:F', divish, 'f64', nanProducing);
const conversions: [number, string, string, ('f32' | 'f64')?][] = [
  [0xa7, 'i32.wrap_i64', 'I:i'],
  [0xa8, 'i32.trunc_f32_s', 'f:i'], [0xa9, 'i32.trunc_f32_u', 'f:i'], [0xaa, 'i32.trunc_f64_s', 'F:i'], [0xab, 'i32.trunc_f64_u', 'F:i'],
  [0xac, 'i64.extend_i32_s', 'i:I'], [0xad, 'i64.extend_i32_u', 'i:I'],
  [0xae, 'i64.trunc_f32_s', 'f:I'], [0xaf, 'i64.trunc_f32_u', 'f:I'], [0xb0, 'i64.trunc_f64_s', 'F:I'], [0xb1, 'i64.trunc_f64_u', 'F:I'],
  [0xb2, 'f32.convert_i32_s', 'i:f'], [0xb3, 'f32.convert_i32_u', 'i:f'], [0xb4, 'f32.convert_i64_s', 'I:f'], [0xb5, 'f32.convert_i64_u', 'I:f'],
  [0xb6, 'f32.demote_f64', 'F:f', 'f32'],
  [0xb7, 'f64.convert_i32_s', 'i:F'], [0xb8, 'f64.convert_i32_u', 'i:F'], [0xb9, 'f64.convert_i64_s', 'I:F'], [0xba, 'f64.convert_i64_u', 'I:F'],
  [0xbb, 'f64.promote_f32', 'f:F', 'f64'],
  [0xbc, 'i32.reinterpret_f32', 'f:i'], [0xbd, 'i64.reinterpret_f64', 'F:I'], [0xbe, 'f32.reinterpret_i32', 'i:f'], [0xbf, 'f64.reinterpret_i64', 'I:F'],
  // Sign extension.
  [0xc0, 'i32.extend8_s', 'i:i'], [0xc1, 'i32.extend16_s', 'i:i'], [0xc2, 'i64.extend8_s', 'I:I'], [0xc3, 'i64.extend16_s', 'I:I'], [0xc4, 'i64.extend32_s', 'I:I'],
  // Non-trapping float-to-int (0xfc 0..7).
  [0xfc00, 'i32.trunc_sat_f32_s', 'f:i'], [0xfc01, 'i32.trunc_sat_f32_u', 'f:i'], [0xfc02, 'i32.trunc_sat_f64_s', 'F:i'], [0xfc03, 'i32.trunc_sat_f64_u', 'F:i'],
  [0xfc04, 'i64.trunc_sat_f32_s', 'f:I'], [0xfc05, 'i64.trunc_sat_f32_u', 'f:I'], [0xfc06, 'i64.trunc_sat_f64_s', 'F:I'], [0xfc07, 'i64.trunc_sat_f64_u', 'F:I'],
];
for (const [c, n, sig, nan] of conversions) def(c, n, Imm.none, sig, 'base', nan ? { nan } : {});
// Bulk memory (table.* bulk ops are forbidden: see FORBIDDEN_OPCODES).
def(0xfc08, 'memory.init', Imm.memoryInit, 'iii:', 'bulk');
def(0xfc09, 'data.drop', Imm.dataDrop, ':');
def(0xfc0a, 'memory.copy', Imm.memoryCopy, 'iii:', 'bulk');
def(0xfc0b, 'memory.fill', Imm.memZero, 'iii:', 'bulk');

export const OPS: ReadonlyMap<number, OpInfo> = new Map(ops.map((o) => [o.code, o]));
/** Opcode by name, for the test assembler and the instrumenter's own code. */
export const OP: Readonly<Record<string, number>> = Object.fromEntries(ops.map((o) => [o.name, o.code]));

/** Known instructions of features this VM does not allow, with the feature named in the rejection. */
export const FORBIDDEN_OPCODES: ReadonlyMap<number, string> = new Map<number, string>([
  [0x06, 'exceptions (try)'], [0x07, 'exceptions (catch)'], [0x08, 'exceptions (throw)'], [0x09, 'exceptions (rethrow)'],
  [0x0a, 'exceptions (throw_ref)'], [0x18, 'exceptions (delegate)'], [0x19, 'exceptions (catch_all)'],
  [0x1f, 'exceptions (try_table)'],
  [0x12, 'tail calls (return_call)'], [0x13, 'tail calls (return_call_indirect)'],
  [0x14, 'typed function references (call_ref)'], [0x15, 'tail calls (return_call_ref)'],
  [0x25, 'reference types (table.get)'], [0x26, 'reference types (table.set)'],
  [0xd0, 'reference types (ref.null in code)'], [0xd1, 'reference types (ref.is_null)'], [0xd2, 'reference types (ref.func in code)'],
  [0xd3, 'GC (ref.as_non_null)'], [0xd4, 'GC (br_on_null)'], [0xd5, 'GC (ref.eq)'], [0xd6, 'GC (br_on_non_null)'],
  [0xfc0c, 'reference types (table.init)'], [0xfc0d, 'reference types (elem.drop)'], [0xfc0e, 'reference types (table.copy)'],
  [0xfc0f, 'reference types (table.grow)'], [0xfc10, 'reference types (table.size)'], [0xfc11, 'reference types (table.fill)'],
]);

/** Whole prefixes that belong to forbidden features. */
export const FORBIDDEN_PREFIXES: ReadonlyMap<number, string> = new Map([
  [0xfb, 'GC'],
  [0xfd, 'SIMD'],
  [0xfe, 'threads/atomics'],
]);
