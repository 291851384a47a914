/**
 * Validation of the ORIGINAL module against the wasm rules and this VM's policy: every index range-checked
 * against the original index spaces (so indices the instrumenter appends later are unreachable from contract
 * code), every function body type-checked with the standard operand/control-stack algorithm, and the policy's
 * feature, import and size rules applied.
 */
import { reject } from './errors';
import { decodeInstructions, type Instr } from './instr';
import { OP, type OpInfo } from './opcodes';
import { RESERVED_EXPORT_PREFIX, WASM_LIMITS_V1 as L, type WasmPolicy } from './policy';
import { T, ExternalKind, valTypeCode, valTypeName, type ConstExpr, type FuncType, type WasmModule } from './types';

export interface ValidatedFunc {
  readonly typeIndex: number;
  readonly instrs: readonly Instr[];
  /** Params followed by declared locals. */
  readonly localCount: number;
  /** Highest operand-stack height reached (used for the frame weight). */
  readonly maxStack: number;
}

export interface ValidatedModule {
  readonly module: WasmModule;
  readonly funcs: readonly ValidatedFunc[];
}

const UNKNOWN = 0;
const LETTER: Record<string, number> = { i: T.i32, I: T.i64, f: T.f32, F: T.f64 };

const WASM_PAGE_BYTES = 65_536;

/**
 * An active segment that does not fit its memory or table at the initial size makes instantiation trap, so such a
 * module would deploy and then fail every call: refuse it at deploy. Offsets are i32 constants read as unsigned.
 */
function fitsAtInstantiation(offset: ConstExpr, length: number, room: bigint, where: string, unit: string): void {
  const start = BigInt.asUintN(32, offset.value);
  if (start + BigInt(length) > room) reject('InvalidIndex', `${where} writes ${length} at offset ${start}, past the initial ${room} ${unit}`);
}

function sameTypes(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export function validateModule(m: WasmModule, policy: WasmPolicy): ValidatedModule {
  const floatsAllowed = policy.floats === 'canonicalize';
  const checkVal = (t: number, where: string): void => {
    if (!floatsAllowed && (t === T.f32 || t === T.f64)) reject('ForbiddenFeature', `float type ${valTypeName(t)} in ${where} (policy floats: forbid)`);
  };
  m.types.forEach((ft, i) => [...ft.params, ...ft.results].forEach((t) => checkVal(t, `type ${i}`)));
  const typeOf = (idx: number, where: string): FuncType => {
    const t = m.types[idx];
    if (t === undefined) return reject('InvalidIndex', `type index ${idx} in ${where} (module has ${m.types.length} types)`);
    return t;
  };

  // Imports: functions only (parser), each on the allowlist with its exact signature.
  for (const imp of m.imports) {
    const ft = typeOf(imp.typeIndex, `import ${imp.module}.${imp.name}`);
    const spec = policy.imports.find((s) => s.module === imp.module && s.name === imp.name);
    if (spec === undefined) reject('ForbiddenImport', `import ${imp.module}.${imp.name} is not a host function of this VM`);
    if (!sameTypes(ft.params, spec.params.map(valTypeCode)) || !sameTypes(ft.results, spec.results.map(valTypeCode))) {
      reject('ForbiddenImport', `import ${imp.module}.${imp.name} has signature (${ft.params.map(valTypeName)}) -> (${ft.results.map(valTypeName)}), expected (${spec.params}) -> (${spec.results})`);
    }
  }
  const funcType = (f: number): FuncType => {
    if (f < m.imports.length) return typeOf((m.imports[f] as { typeIndex: number }).typeIndex, `function ${f}`);
    const t = m.funcs[f - m.imports.length];
    if (t === undefined) return reject('InvalidIndex', `function index ${f} (module has ${m.imports.length + m.funcs.length} functions)`);
    return typeOf(t, `function ${f}`);
  };
  const totalFuncs = m.imports.length + m.funcs.length;
  if (totalFuncs > L.functionsMax) reject('TooLarge', `${totalFuncs} functions (at most ${L.functionsMax})`);
  m.funcs.forEach((t, i) => typeOf(t, `function ${m.imports.length + i}`));

  for (const tb of m.tables) {
    if (tb.limits.min > L.tableElementsMax) reject('TooLarge', `table of ${tb.limits.min} elements (at most ${L.tableElementsMax})`);
  }
  for (const mem of m.memories) {
    if (mem.min > policy.memoryPagesMax) reject('TooLarge', `memory minimum ${mem.min} pages exceeds the policy maximum ${policy.memoryPagesMax}`);
  }
  const constOf = (e: ConstExpr, want: number, where: string): void => {
    const got = e.op === 0x41 ? T.i32 : e.op === 0x42 ? T.i64 : e.op === 0x43 ? T.f32 : e.op === 0x44 ? T.f64 : T.funcref;
    if (got !== want) reject('TypeMismatch', `${where}: constant of type ${valTypeName(got)}, expected ${valTypeName(want)}`);
    if (e.op === 0xd2 && e.value >= BigInt(totalFuncs)) reject('InvalidIndex', `${where}: ref.func ${e.value} out of range`);
  };
  m.globals.forEach((g, i) => {
    checkVal(g.type, `global ${i}`);
    constOf(g.init, g.type, `global ${i} initializer`);
  });

  const names = new Set<string>();
  for (const ex of m.exports) {
    if (names.has(ex.name)) reject('Malformed', `duplicate export name ${JSON.stringify(ex.name)}`);
    names.add(ex.name);
    if (ex.name.startsWith(RESERVED_EXPORT_PREFIX)) reject('ForbiddenExport', `export name ${JSON.stringify(ex.name)} uses the reserved prefix ${RESERVED_EXPORT_PREFIX}`);
    const space = ex.kind === ExternalKind.func ? totalFuncs : ex.kind === ExternalKind.table ? m.tables.length : ex.kind === ExternalKind.memory ? m.memories.length : m.globals.length;
    if (ex.index >= space) reject('InvalidIndex', `export ${JSON.stringify(ex.name)} refers to index ${ex.index} of ${space}`);
  }

  if (m.start !== undefined) {
    // Allowed, but not run at instantiation: the instrumenter moves it into every metered call (see runner).
    const ft = funcType(m.start);
    if (ft.params.length + ft.results.length > 0) reject('TypeMismatch', 'start function must take and return nothing');
  }

  for (const [i, seg] of m.elems.entries()) {
    if (seg.mode === 'active') {
      if (seg.table >= m.tables.length) reject('InvalidIndex', `element segment ${i} targets table ${seg.table} of ${m.tables.length}`);
      constOf(seg.offset as ConstExpr, T.i32, `element segment ${i} offset`);
      const table = m.tables[seg.table];
      if (table) fitsAtInstantiation(seg.offset as ConstExpr, (seg.funcs ?? seg.exprs ?? []).length, BigInt(table.limits.min), `element segment ${i}`, 'table elements');
    }
    for (const f of seg.funcs ?? []) if (f >= totalFuncs) reject('InvalidIndex', `element segment ${i} names function ${f} of ${totalFuncs}`);
    for (const e of seg.exprs ?? []) constOf(e, T.funcref, `element segment ${i} item`);
  }
  for (const [i, seg] of m.datas.entries()) {
    if (seg.mode === 'active') {
      if (m.memories.length === 0) reject('InvalidIndex', `data segment ${i} but the module has no memory`);
      constOf(seg.offset as ConstExpr, T.i32, `data segment ${i} offset`);
      fitsAtInstantiation(seg.offset as ConstExpr, seg.bytes.length, BigInt((m.memories[0]?.min ?? 0) * WASM_PAGE_BYTES), `data segment ${i}`, 'bytes of memory');
    }
  }

  const ctx: BodyContext = {
    m, funcType, typeOf, checkVal, totalFuncs,
    hasMemory: m.memories.length > 0,
    floatsAllowed,
  };
  const funcs = m.codes.map((body, i) => validateBody(ctx, i, body.locals.flatMap((d) => Array<number>(d.count).fill(d.type)), body.code));
  return { module: m, funcs };
}

interface BodyContext {
  readonly m: WasmModule;
  readonly funcType: (f: number) => FuncType;
  readonly typeOf: (idx: number, where: string) => FuncType;
  readonly checkVal: (t: number, where: string) => void;
  readonly totalFuncs: number;
  readonly hasMemory: boolean;
  readonly floatsAllowed: boolean;
}

interface Ctrl {
  readonly op: number;
  readonly start: readonly number[];
  readonly end: readonly number[];
  readonly height: number;
  unreachable: boolean;
}

function validateBody(ctx: BodyContext, defIndex: number, declared: number[], code: Uint8Array): ValidatedFunc {
  const { m } = ctx;
  const funcIndex = m.imports.length + defIndex;
  const typeIndex = m.funcs[defIndex] as number;
  const ft = ctx.typeOf(typeIndex, `function ${funcIndex}`);
  const where = (ins: Instr): string => `function ${funcIndex}, ${ins.info.name} at body byte ${ins.pos}`;
  declared.forEach((t) => ctx.checkVal(t, `function ${funcIndex} locals`));
  const locals = [...ft.params, ...declared];
  if (locals.length > L.localsPerFunctionMax) reject('TooLarge', `function ${funcIndex} has ${locals.length} params+locals`);
  const instrs = decodeInstructions(code);

  const vals: number[] = [];
  const ctrls: Ctrl[] = [];
  let maxStack = 0;
  let cur: Instr = instrs[0] as Instr;
  const fail = (msg: string): never => reject('TypeMismatch', `${where(cur)}: ${msg}`);
  const push = (t: number): void => {
    vals.push(t);
    if (vals.length > maxStack) {
      maxStack = vals.length;
      if (maxStack > L.operandStackMax) reject('TooLarge', `${where(cur)}: operand stack deeper than ${L.operandStackMax}`);
    }
  };
  const top = (): Ctrl => ctrls[ctrls.length - 1] as Ctrl;
  const pop = (): number => {
    const c = top();
    if (vals.length === c.height) {
      if (c.unreachable) return UNKNOWN;
      fail('operand stack underflow');
    }
    return vals.pop() as number;
  };
  const popExpect = (want: number): number => {
    const got = pop();
    if (got !== want && got !== UNKNOWN && want !== UNKNOWN) fail(`expected ${valTypeName(want)}, found ${valTypeName(got)}`);
    return got === UNKNOWN ? want : got;
  };
  const popAll = (ts: readonly number[]): void => {
    for (let i = ts.length - 1; i >= 0; i--) popExpect(ts[i] as number);
  };
  const pushAll = (ts: readonly number[]): void => ts.forEach(push);
  const pushCtrl = (op: number, start: readonly number[], end: readonly number[]): void => {
    ctrls.push({ op, start, end, height: vals.length, unreachable: false });
    pushAll(start);
  };
  const popCtrl = (): Ctrl => {
    const c = top();
    popAll(c.end);
    if (vals.length !== c.height) fail(`${vals.length - c.height} values left on the stack at the end of a block`);
    ctrls.pop();
    return c;
  };
  const labelTypes = (c: Ctrl): readonly number[] => (c.op === OP.loop ? c.start : c.end);
  const label = (depth: number): Ctrl => {
    const c = ctrls[ctrls.length - 1 - depth];
    if (c === undefined) return reject('InvalidIndex', `${where(cur)}: label depth ${depth} (only ${ctrls.length} enclosing blocks)`);
    return c;
  };
  const unreachable = (): void => {
    vals.length = top().height;
    top().unreachable = true;
  };
  const memory = (): void => {
    if (!ctx.hasMemory) reject('InvalidIndex', `${where(cur)}: memory instruction but the module has no memory`);
  };
  const blockType = (ins: Instr): FuncType => {
    if (ins.bt === 'empty') return { params: [], results: [] };
    if (ins.bt === 'val') {
      if (ins.a === T.v128) reject('ForbiddenFeature', `${where(ins)}: SIMD block type`);
      if (ins.a === T.funcref || ins.a === T.externref) reject('ForbiddenFeature', `${where(ins)}: reference block type`);
      if (!ctx.floatsAllowed && (ins.a === T.f32 || ins.a === T.f64)) ctx.checkVal(ins.a, where(ins));
      return { params: [], results: [ins.a] };
    }
    if (ins.a >= m.types.length) ctx.typeOf(ins.a, where(ins));
    return m.types[ins.a] as FuncType;
  };
  const fixed = (info: OpInfo): void => {
    const ps = info.params as string;
    for (let i = ps.length - 1; i >= 0; i--) popExpect(LETTER[ps[i] as string] as number);
    for (const c of info.results as string) push(LETTER[c] as number);
  };

  ctrls.push({ op: OP.block as number, start: [], end: ft.results, height: 0, unreachable: false });
  for (const ins of instrs) {
    cur = ins;
    const info = ins.info;
    if (ctrls.length === 0) fail('instruction after the function end');
    if (info.float && !ctx.floatsAllowed) reject('ForbiddenFeature', `${where(ins)}: float instruction (policy floats: forbid)`);
    switch (info.code) {
      case 0x00: unreachable(); break;
      case 0x01: break;
      case 0x02: case 0x03: { const bt = blockType(ins); popAll(bt.params); pushCtrl(info.code, bt.params, bt.results); break; }
      case 0x04: { const bt = blockType(ins); popExpect(T.i32); popAll(bt.params); pushCtrl(info.code, bt.params, bt.results); break; }
      case 0x05: {
        const c = popCtrl();
        if (c.op !== 0x04) fail('else without if');
        pushCtrl(0x05, c.start, c.end);
        break;
      }
      case 0x0b: {
        const c = popCtrl();
        if (c.op === 0x04 && !sameTypes(c.start, c.end)) fail('if without else must not change the stack type');
        pushAll(c.end);
        break;
      }
      case 0x0c: popAll(labelTypes(label(ins.a))); unreachable(); break;
      case 0x0d: { popExpect(T.i32); const ts = labelTypes(label(ins.a)); popAll(ts); pushAll(ts); break; }
      case 0x0e: {
        popExpect(T.i32);
        const def = labelTypes(label(ins.a));
        for (const l of ins.list ?? []) {
          const ts = labelTypes(label(l));
          if (ts.length !== def.length) fail('br_table targets of different arity');
          // Pop and push back, so each target is checked against the same operands.
          const got: number[] = [];
          for (let i = ts.length - 1; i >= 0; i--) got.unshift(popExpect(ts[i] as number));
          pushAll(got);
        }
        popAll(def);
        unreachable();
        break;
      }
      case 0x0f: popAll(ft.results); unreachable(); break;
      case 0x10: { const t = ctx.funcType(ins.a); popAll(t.params); pushAll(t.results); break; }
      case 0x11: {
        if (ins.b >= m.tables.length) reject('InvalidIndex', `${where(ins)}: table ${ins.b} (module has ${m.tables.length} tables)`);
        const t = ins.a < m.types.length ? (m.types[ins.a] as FuncType) : ctx.typeOf(ins.a, where(ins));
        popExpect(T.i32);
        popAll(t.params);
        pushAll(t.results);
        break;
      }
      case 0x1a: pop(); break;
      case 0x1b: {
        popExpect(T.i32);
        const t1 = pop();
        const t2 = pop();
        if (t1 !== UNKNOWN && t2 !== UNKNOWN && t1 !== t2) fail(`select of ${valTypeName(t1)} and ${valTypeName(t2)}`);
        push(t1 === UNKNOWN ? t2 : t1);
        break;
      }
      case 0x1c: {
        const t = (ins.list as number[])[0] as number;
        if (t !== T.i32 && t !== T.i64 && t !== T.f32 && t !== T.f64) reject('ForbiddenFeature', `${where(ins)}: select of type ${valTypeName(t)}`);
        ctx.checkVal(t, where(ins));
        popExpect(T.i32);
        popExpect(t);
        popExpect(t);
        push(t);
        break;
      }
      case 0x20: case 0x21: case 0x22: {
        const t = locals[ins.a];
        if (t === undefined) reject('InvalidIndex', `${where(ins)}: local ${ins.a} (function has ${locals.length})`);
        if (info.code === 0x20) push(t);
        else if (info.code === 0x21) popExpect(t);
        else { popExpect(t); push(t); }
        break;
      }
      case 0x23: case 0x24: {
        // Checked against the ORIGINAL global count: the gas/depth/status globals appended later are unreachable.
        const g = m.globals[ins.a];
        if (g === undefined) reject('InvalidIndex', `${where(ins)}: global ${ins.a} (module has ${m.globals.length})`);
        if (info.code === 0x23) push(g.type);
        else {
          if (!g.mutable) fail(`global.set of immutable global ${ins.a}`);
          popExpect(g.type);
        }
        break;
      }
      case 0x3f: case 0x40: case 0xfc0a: case 0xfc0b: memory(); fixed(info); break;
      case 0xfc08: case 0xfc09: {
        if (info.code === 0xfc08) memory();
        if (m.dataCount === undefined) reject('Malformed', `${where(ins)}: needs a data count section`);
        if (ins.a >= m.dataCount) reject('InvalidIndex', `${where(ins)}: data segment ${ins.a} of ${m.dataCount}`);
        fixed(info);
        break;
      }
      default:
        if (info.align !== undefined) {
          memory();
          if (ins.a > info.align) fail(`alignment 2^${ins.a} larger than natural 2^${info.align}`);
        }
        if (info.params === undefined) fail('internal: no signature');
        fixed(info);
    }
  }
  if (ctrls.length !== 0) reject('Malformed', `function ${funcIndex}: body ends inside a block`);
  return { typeIndex, instrs, localCount: locals.length, maxStack };
}
