/**
 * A tiny wasm assembler for tests and benches: modules built from byte-level instruction lists, encoded with
 * this layer's own encoder. Not used at run time.
 */
import { ByteWriter } from './bytes';
import { encodeModule } from './encode';
import { OP } from './opcodes';
import { T, ExternalKind, valTypeCode, type ConstExpr, type ValType, type WasmModule } from './types';

export function u32(v: number): number[] {
  return [...new ByteWriter().u32(v).finish()];
}

export function sleb(v: number | bigint): number[] {
  return [...new ByteWriter().sleb(v).finish()];
}

/** One instruction by name with u32 immediates, e.g. ins('local.get', 0), ins('memory.fill') adds its 0x00. */
export function ins(name: string, ...imm: number[]): number[] {
  const code = OP[name];
  if (code === undefined) throw new Error(`unknown instruction ${name}`);
  const head = code > 0xff ? [code >> 8, ...u32(code & 0xff)] : [code];
  const memZero = ['memory.size', 'memory.grow', 'memory.fill'].includes(name) ? [0] : name === 'memory.copy' ? [0, 0] : name === 'memory.init' ? [] : [];
  const tail = name === 'memory.init' ? [...imm.flatMap(u32), 0] : imm.flatMap(u32);
  return [...head, ...tail, ...memZero];
}

export const i32c = (v: number): number[] => [0x41, ...sleb(v)];
export const i64c = (v: bigint | number): number[] => [0x42, ...sleb(v)];
export const f32c = (v: number): number[] => [0x43, ...new Uint8Array(Float32Array.of(v).buffer)];
export const f64c = (v: number): number[] => [0x44, ...new Uint8Array(Float64Array.of(v).buffer)];
export const f32bits = (bits: number): number[] => [0x43, ...new Uint8Array(Uint32Array.of(bits).buffer)];
export const f64bits = (bits: bigint): number[] => [0x44, ...new Uint8Array(BigUint64Array.of(bits).buffer)];
/** memarg for loads/stores: align (log2), offset. */
export const mem = (name: string, align = 0, offset = 0): number[] => [OP[name] as number, ...u32(align), ...u32(offset)];
/** Block opener with a block type: 'empty', a value type, or a type index. */
export const block = (name: 'block' | 'loop' | 'if', bt: ValType | 'empty' | number = 'empty'): number[] => [
  OP[name] as number,
  ...(bt === 'empty' ? [T.empty] : typeof bt === 'number' ? sleb(bt) : [valTypeCode(bt)]),
];

function constExpr(op: number, value: bigint, imm: number[]): ConstExpr {
  return { op, value, bytes: Uint8Array.from([op, ...imm, 0x0b]) };
}

export class ModuleBuilder {
  readonly m: WasmModule = {
    types: [], imports: [], funcs: [], tables: [], memories: [], globals: [], exports: [],
    elems: [], codes: [], datas: [], customs: [],
  };

  type(params: ValType[], results: ValType[]): number {
    const p = params.map(valTypeCode);
    const r = results.map(valTypeCode);
    const i = this.m.types.findIndex((t) => t.params.join() === p.join() && t.results.join() === r.join());
    if (i >= 0) return i;
    this.m.types.push({ params: p, results: r });
    return this.m.types.length - 1;
  }

  import(module: string, name: string, params: ValType[], results: ValType[]): number {
    if (this.m.funcs.length > 0) throw new Error('imports must come before functions');
    this.m.imports.push({ module, name, typeIndex: this.type(params, results) });
    return this.m.imports.length - 1;
  }

  /** Adds a function; `body` excludes the final end. Returns its function index. */
  func(params: ValType[], results: ValType[], locals: ValType[], body: number[], exportName?: string): number {
    this.m.funcs.push(this.type(params, results));
    this.m.codes.push({ locals: locals.map((t) => ({ count: 1, type: valTypeCode(t) })), code: Uint8Array.from([...body, 0x0b]) });
    const index = this.m.imports.length + this.m.funcs.length - 1;
    if (exportName !== undefined) this.export(exportName, ExternalKind.func, index);
    return index;
  }

  memory(min: number, max?: number, exportName = 'memory'): this {
    this.m.memories.push(max === undefined ? { min } : { min, max });
    this.export(exportName, ExternalKind.memory, 0);
    return this;
  }

  table(min: number, max?: number): this {
    this.m.tables.push({ elemType: T.funcref, limits: max === undefined ? { min } : { min, max } });
    return this;
  }

  global(type: ValType, mutable: boolean, init: number | bigint): number {
    const op = { i32: 0x41, i64: 0x42, f32: 0x43, f64: 0x44 }[type];
    const imm = type === 'i32' || type === 'i64' ? sleb(init) : type === 'f32' ? f32c(Number(init)).slice(1) : f64c(Number(init)).slice(1);
    this.m.globals.push({ type: valTypeCode(type), mutable, init: constExpr(op, BigInt(init), imm) });
    return this.m.globals.length - 1;
  }

  export(name: string, kind: number, index: number): this {
    this.m.exports.push({ name, kind, index });
    return this;
  }

  elem(offset: number, funcs: number[]): this {
    this.m.elems.push({ flags: 0, mode: 'active', table: 0, offset: constExpr(0x41, BigInt(offset), sleb(offset)), elemType: T.funcref, funcs });
    return this;
  }

  data(offset: number, bytes: Uint8Array | number[]): this {
    this.m.datas.push({ flags: 0, mode: 'active', offset: constExpr(0x41, BigInt(offset), sleb(offset)), bytes: Uint8Array.from(bytes) });
    return this;
  }

  passiveData(bytes: Uint8Array | number[]): this {
    this.m.datas.push({ flags: 1, mode: 'passive', bytes: Uint8Array.from(bytes) });
    this.m.dataCount = this.m.datas.length;
    return this;
  }

  build(): Uint8Array {
    if (this.m.dataCount !== undefined) this.m.dataCount = this.m.datas.length;
    return encodeModule(this.m);
  }
}
