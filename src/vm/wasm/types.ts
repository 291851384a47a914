/** The parsed form of a wasm module: just what the validator, instrumenter and encoder need. */

/** Value types a contract may use (floats only under the 'canonicalize' policy). */
export type ValType = 'i32' | 'i64' | 'f32' | 'f64';

/** Binary type codes. */
export const T = {
  i32: 0x7f,
  i64: 0x7e,
  f32: 0x7d,
  f64: 0x7c,
  v128: 0x7b,
  funcref: 0x70,
  externref: 0x6f,
  /** Block type "no result". */
  empty: 0x40,
} as const;

export function valTypeCode(v: ValType): number {
  return T[v];
}

export function valTypeName(code: number): string {
  switch (code) {
    case T.i32: return 'i32';
    case T.i64: return 'i64';
    case T.f32: return 'f32';
    case T.f64: return 'f64';
    case T.v128: return 'v128';
    case T.funcref: return 'funcref';
    case T.externref: return 'externref';
    default: return `0x${code.toString(16)}`;
  }
}

export interface FuncType {
  readonly params: readonly number[];
  readonly results: readonly number[];
}

export interface FuncImport {
  readonly module: string;
  readonly name: string;
  readonly typeIndex: number;
}

export interface Limits {
  readonly min: number;
  readonly max?: number;
}

export interface TableDef {
  readonly elemType: number;
  readonly limits: Limits;
}

/** A constant expression: one instruction then `end`; `bytes` keeps the exact encoding (including `end`). */
export interface ConstExpr {
  readonly op: number;
  /** i32/i64 const value, funcidx for ref.func, reftype for ref.null. */
  readonly value: bigint;
  readonly bytes: Uint8Array;
}

export interface GlobalDef {
  readonly type: number;
  readonly mutable: boolean;
  readonly init: ConstExpr;
}

export const ExternalKind = { func: 0, table: 1, memory: 2, global: 3, tag: 4 } as const;

export interface Export {
  readonly name: string;
  readonly kind: number;
  readonly index: number;
}

export interface ElemSegment {
  /** The binary flags 0..7; kept so an unmodified module re-encodes byte for byte. */
  readonly flags: number;
  readonly mode: 'active' | 'passive' | 'declarative';
  readonly table: number;
  readonly offset?: ConstExpr;
  readonly elemType: number;
  /** Flags 0..3: function indices. */
  readonly funcs?: readonly number[];
  /** Flags 4..7: element expressions. */
  readonly exprs?: readonly ConstExpr[];
}

export interface DataSegment {
  readonly flags: number;
  readonly mode: 'active' | 'passive';
  readonly offset?: ConstExpr;
  readonly bytes: Uint8Array;
}

export interface LocalDecl {
  readonly count: number;
  readonly type: number;
}

export interface FuncBody {
  readonly locals: readonly LocalDecl[];
  /** The expression bytes, including the final `end`. */
  readonly code: Uint8Array;
}

export interface CustomSection {
  readonly name: string;
  /** The whole payload including the name, as read. */
  readonly payload: Uint8Array;
  /** Id of the last non-custom section before it (0 = before all), to put it back in the same place. */
  readonly after: number;
}

export interface WasmModule {
  types: FuncType[];
  imports: FuncImport[];
  /** Type index of each defined function. */
  funcs: number[];
  tables: TableDef[];
  memories: Limits[];
  globals: GlobalDef[];
  exports: Export[];
  start?: number;
  elems: ElemSegment[];
  dataCount?: number;
  codes: FuncBody[];
  datas: DataSegment[];
  customs: CustomSection[];
}
