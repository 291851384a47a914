/**
 * Module structure parser: sections in order, each fully consumed, every count bounded before allocating.
 * Feature rules that are visible in the structure (shared/64-bit memory, GC types, tags) are rejected here;
 * index ranges and operand types are checked by validate.ts.
 */
import { ByteReader } from './bytes';
import { reject } from './errors';
import { WASM_LIMITS_V1 as L } from './policy';
import {
  T,
  type ConstExpr,
  type DataSegment,
  type ElemSegment,
  type Export,
  type FuncBody,
  type GlobalDef,
  type Limits,
  type LocalDecl,
  type WasmModule,
} from './types';

export const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];
export const WASM_VERSION = [0x01, 0x00, 0x00, 0x00];

/** Section ids in their required order (data count, 12, sits between element and code). */
const SECTION_ORDER = [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 10, 11];

function count(r: ByteReader, max: number, what: string): number {
  const n = r.u32();
  if (n > max) reject('TooLarge', `${n} ${what} (at most ${max})`);
  // Each item takes at least one byte: a bigger count cannot be honest and would only make us allocate.
  if (n > r.end - r.pos) reject('Malformed', `${n} ${what} in ${r.end - r.pos} bytes`);
  return n;
}

function valType(r: ByteReader): number {
  const at = r.pos;
  const t = r.byte();
  if (t === T.i32 || t === T.i64 || t === T.f32 || t === T.f64) return t;
  if (t === T.v128) reject('ForbiddenFeature', `SIMD value type v128 at byte ${at}`);
  if (t === T.funcref || t === T.externref) reject('ForbiddenFeature', `reference value type at byte ${at} (only tables may hold funcref)`);
  if (t === 0x64 || t === 0x63 || (t >= 0x65 && t <= 0x6e) || (t >= 0x71 && t <= 0x74)) reject('ForbiddenFeature', `GC value type 0x${t.toString(16)} at byte ${at}`);
  return reject('Malformed', `unknown value type 0x${t.toString(16)} at byte ${at}`);
}

function limits(r: ByteReader, what: 'memory' | 'table'): Limits {
  const at = r.pos;
  const flags = r.byte();
  if (flags === 0x02 || flags === 0x03) reject('ForbiddenFeature', `shared ${what} at byte ${at}`);
  if (flags >= 0x04 && flags <= 0x0f) reject('ForbiddenFeature', `64-bit or custom-page-size ${what} at byte ${at}`);
  if (flags > 0x01) reject('Malformed', `bad limits flags 0x${flags.toString(16)} at byte ${at}`);
  const min = r.u32();
  if (flags === 0x00) return { min };
  const max = r.u32();
  if (max < min) reject('Malformed', `${what} maximum ${max} below minimum ${min}`);
  return { min, max };
}

/** A constant expression: exactly one allowed instruction followed by `end`. */
export function constExpr(r: ByteReader): ConstExpr {
  const start = r.pos;
  const op = r.byte();
  let value = 0n;
  switch (op) {
    case 0x41:
      value = r.sleb(32);
      break;
    case 0x42:
      value = r.sleb(64);
      break;
    case 0x43:
      r.bytes(4);
      break;
    case 0x44:
      r.bytes(8);
      break;
    case 0xd0: {
      const t = r.byte();
      if (t !== T.funcref) reject('ForbiddenFeature', `ref.null of type 0x${t.toString(16)} (only funcref)`);
      value = BigInt(t);
      break;
    }
    case 0xd2:
      value = BigInt(r.u32());
      break;
    case 0x23:
      // Only imported globals could be read here, and global imports are forbidden.
      reject('InvalidIndex', `global.get in a constant expression at byte ${start} (no imported globals exist)`);
      break;
    default:
      reject('Malformed', `opcode 0x${op.toString(16)} not allowed in a constant expression at byte ${start}`);
  }
  if (r.byte() !== 0x0b) reject('Malformed', `constant expression at byte ${start} is not one instruction then end`);
  return { op, value, bytes: r.buf.slice(start, r.pos) };
}

function funcIndices(r: ByteReader): number[] {
  const n = count(r, L.tableElementsMax, 'element function indices');
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(r.u32());
  return out;
}

function elemExprs(r: ByteReader): ConstExpr[] {
  const n = count(r, L.tableElementsMax, 'element expressions');
  const out: ConstExpr[] = [];
  for (let i = 0; i < n; i++) {
    const e = constExpr(r);
    if (e.op !== 0xd2 && e.op !== 0xd0) reject('Malformed', `element expression must be ref.func or ref.null`);
    out.push(e);
  }
  return out;
}

function elemKind(r: ByteReader): void {
  const k = r.byte();
  if (k !== 0x00) reject('Malformed', `element kind 0x${k.toString(16)} (must be 0x00 funcref)`);
}

function refType(r: ByteReader): number {
  const t = r.byte();
  if (t !== T.funcref) reject('ForbiddenFeature', `element/table type 0x${t.toString(16)} (only funcref)`);
  return t;
}

function elemSegment(r: ByteReader): ElemSegment {
  const flags = r.u32();
  switch (flags) {
    case 0: {
      const offset = constExpr(r);
      return { flags, mode: 'active', table: 0, offset, elemType: T.funcref, funcs: funcIndices(r) };
    }
    case 1:
      elemKind(r);
      return { flags, mode: 'passive', table: 0, elemType: T.funcref, funcs: funcIndices(r) };
    case 2: {
      const table = r.u32();
      const offset = constExpr(r);
      elemKind(r);
      return { flags, mode: 'active', table, offset, elemType: T.funcref, funcs: funcIndices(r) };
    }
    case 3:
      elemKind(r);
      return { flags, mode: 'declarative', table: 0, elemType: T.funcref, funcs: funcIndices(r) };
    case 4: {
      const offset = constExpr(r);
      return { flags, mode: 'active', table: 0, offset, elemType: T.funcref, exprs: elemExprs(r) };
    }
    case 5: {
      const elemType = refType(r);
      return { flags, mode: 'passive', table: 0, elemType, exprs: elemExprs(r) };
    }
    case 6: {
      const table = r.u32();
      const offset = constExpr(r);
      const elemType = refType(r);
      return { flags, mode: 'active', table, offset, elemType, exprs: elemExprs(r) };
    }
    case 7: {
      const elemType = refType(r);
      return { flags, mode: 'declarative', table: 0, elemType, exprs: elemExprs(r) };
    }
    default:
      return reject('Malformed', `element segment flags ${flags}`);
  }
}

function dataSegment(r: ByteReader): DataSegment {
  const flags = r.u32();
  let offset: ConstExpr | undefined;
  if (flags === 2) {
    const mem = r.u32();
    if (mem !== 0) reject('ForbiddenFeature', `multi-memory: data segment for memory ${mem}`);
  } else if (flags !== 0 && flags !== 1) reject('Malformed', `data segment flags ${flags}`);
  if (flags !== 1) offset = constExpr(r);
  const len = r.u32();
  const bytes = r.bytes(len);
  return { flags, mode: flags === 1 ? 'passive' : 'active', offset, bytes };
}

function funcBody(r: ByteReader, index: number, trusted: boolean): FuncBody {
  const size = r.u32();
  if (size > L.functionBodyBytesMax && !trusted) reject('TooLarge', `function ${index} body of ${size} bytes (at most ${L.functionBodyBytesMax})`);
  const body = new ByteReader(r.buf, r.pos, r.pos + size);
  if (body.end > r.end) reject('Malformed', `function ${index} body overruns the code section`);
  r.pos += size;
  const groups = count(body, L.localsPerFunctionMax, `local groups in function ${index}`);
  const locals: LocalDecl[] = [];
  let total = 0;
  for (let i = 0; i < groups; i++) {
    const n = body.u32();
    total += n;
    if (total > L.localsPerFunctionMax) reject('TooLarge', `function ${index} declares more than ${L.localsPerFunctionMax} locals`);
    locals.push({ count: n, type: valType(body) });
  }
  if (body.pos >= body.end) reject('Malformed', `function ${index} has no body expression`);
  return { locals, code: r.buf.slice(body.pos, body.end) };
}

/**
 * `trusted` is only for re-reading this layer's own instrumented output, which may exceed the size limits
 * the original had to meet (instrumentation makes bodies longer).
 */
export function parseModule(bytes: Uint8Array, trusted = false): WasmModule {
  if (bytes.length < 8 || WASM_MAGIC.some((b, i) => bytes[i] !== b)) reject('NotWasm', 'missing the \\0asm magic number');
  if (WASM_VERSION.some((b, i) => bytes[4 + i] !== b)) reject('NotWasm', 'not wasm binary version 1 (components and other layers are not accepted)');
  if (bytes.length > L.moduleBytesMax && !trusted) reject('TooLarge', `module of ${bytes.length} bytes (at most ${L.moduleBytesMax})`);
  const m: WasmModule = {
    types: [], imports: [], funcs: [], tables: [], memories: [], globals: [], exports: [],
    elems: [], codes: [], datas: [], customs: [],
  };
  const r = new ByteReader(bytes, 8);
  let lastOrder = -1;
  let lastId = 0;
  let sawFunc = false;
  let sawCode = false;
  while (!r.eof) {
    const id = r.byte();
    const size = r.u32();
    if (r.pos + size > r.end) reject('Malformed', `section ${id} of ${size} bytes overruns the module`);
    const s = new ByteReader(bytes, r.pos, r.pos + size);
    r.pos += size;
    if (id === 0) {
      if (m.customs.length >= L.customSectionsMax) reject('TooLarge', `more than ${L.customSectionsMax} custom sections`);
      const name = s.name(1024);
      m.customs.push({ name, payload: bytes.slice(s.end - size, s.end), after: lastId });
      continue;
    }
    if (id === 13) reject('ForbiddenFeature', 'exceptions (tag section)');
    const order = SECTION_ORDER.indexOf(id);
    if (order < 0) reject('Malformed', `unknown section id ${id}`);
    if (order <= lastOrder) reject('Malformed', `section ${id} out of order or repeated`);
    lastOrder = order;
    lastId = id;
    switch (id) {
      case 1: {
        const n = count(s, L.typesMax, 'types');
        for (let i = 0; i < n; i++) {
          const form = s.byte();
          if (form === 0x4e || form === 0x50 || form === 0x4f || form === 0x5e || form === 0x5f) reject('ForbiddenFeature', `GC type form 0x${form.toString(16)} (type ${i})`);
          if (form !== 0x60) reject('Malformed', `type ${i} form 0x${form.toString(16)} (must be 0x60 func)`);
          const np = count(s, L.funcParamsMax, `params in type ${i}`);
          const params: number[] = [];
          for (let j = 0; j < np; j++) params.push(valType(s));
          const nr = count(s, L.funcResultsMax, `results in type ${i}`);
          const results: number[] = [];
          for (let j = 0; j < nr; j++) results.push(valType(s));
          m.types.push({ params, results });
        }
        break;
      }
      case 2: {
        const n = count(s, L.importsMax, 'imports');
        for (let i = 0; i < n; i++) {
          const module = s.name(L.exportNameBytesMax);
          const name = s.name(L.exportNameBytesMax);
          const kind = s.byte();
          if (kind !== 0) {
            const what = ['func', 'table', 'memory', 'global', 'tag'][kind] ?? `kind ${kind}`;
            reject(kind <= 4 ? 'ForbiddenImport' : 'Malformed', `import ${module}.${name} is a ${what} (only functions may be imported)`);
          }
          m.imports.push({ module, name, typeIndex: s.u32() });
        }
        break;
      }
      case 3: {
        const n = count(s, L.functionsMax, 'functions');
        for (let i = 0; i < n; i++) m.funcs.push(s.u32());
        sawFunc = true;
        break;
      }
      case 4: {
        const n = count(s, 1, 'tables');
        for (let i = 0; i < n; i++) {
          const elemType = refType(s);
          m.tables.push({ elemType, limits: limits(s, 'table') });
        }
        break;
      }
      case 5: {
        const n = s.u32();
        if (n > 1) reject('ForbiddenFeature', `multi-memory: ${n} memories`);
        if (n === 1) m.memories.push(limits(s, 'memory'));
        break;
      }
      case 6: {
        const n = count(s, L.globalsMax, 'globals');
        for (let i = 0; i < n; i++) {
          const type = valType(s);
          const mut = s.byte();
          if (mut > 1) reject(mut <= 3 ? 'ForbiddenFeature' : 'Malformed', `global ${i} mutability flag 0x${mut.toString(16)}`);
          m.globals.push({ type, mutable: mut === 1, init: constExpr(s) } satisfies GlobalDef);
        }
        break;
      }
      case 7: {
        const n = count(s, L.exportsMax, 'exports');
        for (let i = 0; i < n; i++) {
          const name = s.name(L.exportNameBytesMax);
          const kind = s.byte();
          if (kind === 4) reject('ForbiddenFeature', `exceptions: tag export ${name}`);
          if (kind > 4) reject('Malformed', `export ${name} kind ${kind}`);
          m.exports.push({ name, kind, index: s.u32() } satisfies Export);
        }
        break;
      }
      case 8:
        m.start = s.u32();
        break;
      case 9: {
        const n = count(s, L.elemSegmentsMax, 'element segments');
        for (let i = 0; i < n; i++) m.elems.push(elemSegment(s));
        break;
      }
      case 12:
        m.dataCount = s.u32();
        if (m.dataCount > L.dataSegmentsMax) reject('TooLarge', `data count ${m.dataCount}`);
        break;
      case 10: {
        const n = count(s, L.functionsMax, 'function bodies');
        if (n !== m.funcs.length) reject('Malformed', `${n} function bodies for ${m.funcs.length} declared functions`);
        for (let i = 0; i < n; i++) m.codes.push(funcBody(s, i, trusted));
        sawCode = true;
        break;
      }
      case 11: {
        const n = count(s, L.dataSegmentsMax, 'data segments');
        if (m.dataCount !== undefined && n !== m.dataCount) reject('Malformed', `${n} data segments but data count says ${m.dataCount}`);
        for (let i = 0; i < n; i++) m.datas.push(dataSegment(s));
        break;
      }
    }
    if (!s.eof) reject('Malformed', `section ${id} has ${s.end - s.pos} unread bytes`);
  }
  if (sawFunc !== sawCode && m.funcs.length > 0) reject('Malformed', 'function and code sections disagree');
  if (m.dataCount !== undefined && m.dataCount !== m.datas.length) reject('Malformed', `data count ${m.dataCount} but ${m.datas.length} data segments`);
  return m;
}
