/**
 * Instrumentation of a validated module: gas per basic block, a call-depth counter, dynamic charges for
 * memory.grow and bulk memory, optional NaN canonicalization, a forced memory maximum. Everything is
 * appended after the original index spaces (types, functions, globals, exports), so original indices keep
 * their meaning and contract code cannot name anything added here (validation checked it against the
 * original counts).
 */
import { ByteWriter } from './bytes';
import type { Instr } from './instr';
import { OP } from './opcodes';
import {
  EXPORT_DEPTH,
  EXPORT_GAS,
  EXPORT_GLOBAL_PREFIX,
  EXPORT_MEMORY,
  EXPORT_START,
  EXPORT_STATUS,
  STATUS_OUT_OF_GAS,
  STATUS_STACK_OVERFLOW,
  WASM_LIMITS_V1,
  type GasTable,
  type WasmPolicy,
} from './policy';
import type { ValidatedFunc, ValidatedModule } from './validate';
import { ExternalKind, T, type FuncBody, type FuncType, type WasmModule } from './types';
import type { OpInfo } from './opcodes';

/** Instructions after which a new basic block starts (a branch target or the code after a control transfer). */
const BLOCK_ENDERS = new Set<number>([0x00, 0x03, 0x04, 0x05, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11]);

export function gasWeight(info: OpInfo, g: GasTable): number {
  return g[info.gas];
}

/** Units of the depth budget one activation of this function takes. */
export function frameWeight(f: Pick<ValidatedFunc, 'localCount' | 'maxStack'>): number {
  return 1 + Math.floor((f.localCount + f.maxStack) / WASM_LIMITS_V1.frameUnitSlots);
}

interface Ids {
  gas: number;
  status: number;
  depth: number;
  oog: number;
  overflow: number;
  charge: number;
  chargeGrow: number;
  chargeBulk: number;
  canon32: number;
  canon64: number;
}

export function instrument(v: ValidatedModule, policy: WasmPolicy, g: GasTable): WasmModule {
  const src = v.module;
  const m: WasmModule = {
    ...src,
    types: [...src.types],
    funcs: [...src.funcs],
    globals: [...src.globals],
    exports: [...src.exports],
    memories: src.memories.map((l) => ({ min: l.min, max: Math.min(l.max ?? policy.memoryPagesMax, policy.memoryPagesMax) })),
    codes: [],
    // Custom sections (names, producers) are not needed to run and are dropped from the instrumented module.
    customs: [],
  };
  const typeIndex = (params: number[], results: number[]): number => {
    const same = (a: readonly number[], b: number[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
    const found = m.types.findIndex((t: FuncType) => same(t.params, params) && same(t.results, results));
    if (found >= 0) return found;
    m.types.push({ params, results });
    return m.types.length - 1;
  };
  const G = src.globals.length;
  const F = src.imports.length + src.funcs.length;
  const ids: Ids = {
    gas: G, status: G + 1, depth: G + 2,
    oog: F, overflow: F + 1, charge: F + 2, chargeGrow: F + 3, chargeBulk: F + 4, canon32: F + 5, canon64: F + 6,
  };
  m.globals.push(
    { type: T.i64, mutable: true, init: { op: 0x42, value: 0n, bytes: Uint8Array.of(0x42, 0x00, 0x0b) } },
    { type: T.i32, mutable: true, init: { op: 0x41, value: 0n, bytes: Uint8Array.of(0x41, 0x00, 0x0b) } },
    { type: T.i32, mutable: true, init: { op: 0x41, value: 0n, bytes: Uint8Array.of(0x41, 0x00, 0x0b) } },
  );

  m.codes = v.funcs.map((f, i) => {
    const results = (src.types[f.typeIndex] as FuncType).results;
    // The wrapper block has the function's results; several results need a type index as block type.
    const bt = results.length === 0 ? [T.empty] : results.length === 1 ? [results[0] as number] : sleb(typeIndex([], [...results]));
    const body = src.codes[i] as FuncBody;
    return { locals: body.locals, code: rewriteBody(f, body.code, bt, ids, policy, g) };
  });

  // Helper functions, appended after the contract's functions.
  const helpers: [number[], number[], number[], number[]][] = [
    // oog / overflow: record why, then trap. Never return.
    [[], [], [], [OP['i32.const'] as number, STATUS_OUT_OF_GAS, 0x24, ...u32(ids.status), 0x00, 0x0b]],
    [[], [], [], [OP['i32.const'] as number, STATUS_STACK_OVERFLOW, 0x24, ...u32(ids.status), 0x00, 0x0b]],
    // charge(cost i64): trap before spending more than is left.
    [[T.i64], [], [], [
      0x23, ...u32(ids.gas), 0x20, 0, 0x54 /* i64.lt_u */, 0x04, T.empty, 0x10, ...u32(ids.oog), 0x0b,
      0x23, ...u32(ids.gas), 0x20, 0, 0x7d /* i64.sub */, 0x24, ...u32(ids.gas), 0x0b,
    ]],
    // chargeGrow(pages i32) -> pages: per requested page, before growing.
    [[T.i32], [T.i32], [], [
      0x20, 0, 0xad /* i64.extend_i32_u */, 0x42, ...sleb(g.memoryGrowPerPage), 0x7e /* i64.mul */, 0x10, ...u32(ids.charge), 0x20, 0, 0x0b,
    ]],
    // chargeBulk(len i32) -> len: one unit per started bulkBytesPerGas bytes.
    [[T.i32], [T.i32], [], [
      0x20, 0, 0xad, 0x42, ...sleb(g.bulkBytesPerGas - 1), 0x7c /* i64.add */, 0x42, ...sleb(g.bulkBytesPerGas), 0x80 /* i64.div_u */,
      0x10, ...u32(ids.charge), 0x20, 0, 0x0b,
    ]],
  ];
  if (policy.floats === 'canonicalize') {
    helpers.push(
      // x != x ? canonical NaN : x
      [[T.f32], [T.f32], [], [0x20, 0, 0x20, 0, 0x5c /* f32.ne */, 0x04, T.f32, 0x43, 0x00, 0x00, 0xc0, 0x7f, 0x05, 0x20, 0, 0x0b, 0x0b]],
      [[T.f64], [T.f64], [], [0x20, 0, 0x20, 0, 0x62 /* f64.ne */, 0x04, T.f64, 0x44, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f, 0x05, 0x20, 0, 0x0b, 0x0b]],
    );
  }
  for (const [params, results, , code] of helpers) {
    m.funcs.push(typeIndex(params, results));
    m.codes.push({ locals: [], code: Uint8Array.from(code) });
  }

  m.exports.push(
    { name: EXPORT_GAS, kind: ExternalKind.global, index: ids.gas },
    { name: EXPORT_STATUS, kind: ExternalKind.global, index: ids.status },
    { name: EXPORT_DEPTH, kind: ExternalKind.global, index: ids.depth },
  );
  // The contract's own mutable integer globals, so the runner can put a reused instance back to the module's
  // initial state (runner.ts, instance reuse). Not observable by the contract: reserved names, no behaviour.
  src.globals.forEach((g, i) => {
    if (g.mutable && (g.type === T.i32 || g.type === T.i64)) m.exports.push({ name: `${EXPORT_GLOBAL_PREFIX}${i}`, kind: ExternalKind.global, index: i });
  });
  if (m.memories.length > 0) m.exports.push({ name: EXPORT_MEMORY, kind: ExternalKind.memory, index: 0 });
  if (src.start !== undefined) {
    // Instantiation must not run contract code (no gas is loaded yet): the runner calls it, metered, per call.
    m.exports.push({ name: EXPORT_START, kind: ExternalKind.func, index: src.start });
    delete m.start;
  }
  return m;
}

function u32(v: number): number[] {
  return [...new ByteWriter().u32(v).finish()];
}

function sleb(v: number | bigint): number[] {
  return [...new ByteWriter().sleb(v).finish()];
}

function rewriteBody(f: ValidatedFunc, code: Uint8Array, bt: number[], ids: Ids, policy: WasmPolicy, g: GasTable): Uint8Array {
  const instrs = f.instrs;
  const last = instrs.length - 1; // the function's final `end`
  const w = new ByteWriter(code.length * 3 + 64);
  const weight = frameWeight(f);
  const depthAdd = (op: number): void => {
    w.byte(0x23).u32(ids.depth).byte(0x41).sleb(weight).byte(op).byte(0x24).u32(ids.depth);
  };
  const charge = (cost: number): void => {
    if (cost === 0) return;
    // if (gas < cost) oog(); gas -= cost
    w.byte(0x23).u32(ids.gas).byte(0x42).sleb(cost).byte(0x54).byte(0x04).byte(T.empty).byte(0x10).u32(ids.oog).byte(0x0b);
    w.byte(0x23).u32(ids.gas).byte(0x42).sleb(cost).byte(0x7d).byte(0x24).u32(ids.gas);
  };

  // Pass 1: the static cost of each basic block, keyed by the index of its first instruction.
  const blockCost = new Map<number, number>();
  let leader = 0;
  let cost = 0;
  for (let i = 0; i <= last; i++) {
    const ins = instrs[i] as Instr;
    cost += gasWeight(ins.info, g);
    if (BLOCK_ENDERS.has(ins.info.code) && i < last) {
      blockCost.set(leader, cost);
      leader = i + 1;
      cost = 0;
    }
  }
  blockCost.set(leader, cost);

  // Prologue: enter the frame (trap past the depth limit), then the wrapper block that every exit goes through.
  depthAdd(0x6a /* i32.add */);
  w.byte(0x23).u32(ids.depth).byte(0x41).sleb(policy.stackFramesMax).byte(0x4b /* i32.gt_u */);
  w.byte(0x04).byte(T.empty).byte(0x10).u32(ids.overflow).byte(0x0b);
  w.byte(0x02).bytes(bt);

  for (let i = 0; i <= last; i++) {
    const ins = instrs[i] as Instr;
    const c = blockCost.get(i);
    if (c !== undefined) charge(c);
    if (i === last) break;
    const op = ins.info.code;
    if (op === 0x40) w.byte(0x10).u32(ids.chargeGrow);
    else if (op === 0xfc08 || op === 0xfc0a || op === 0xfc0b) w.byte(0x10).u32(ids.chargeBulk);
    else if (op === 0x0f) depthAdd(0x6b /* i32.sub */);
    w.range(code, ins.pos, ins.end);
    if (ins.info.nan !== undefined && policy.floats === 'canonicalize') {
      w.byte(0x10).u32(ins.info.nan === 'f32' ? ids.canon32 : ids.canon64);
    }
  }
  // Epilogue: close the wrapper, leave the frame, end the function.
  w.byte(0x0b);
  depthAdd(0x6b);
  w.byte(0x0b);
  return w.finish();
}
