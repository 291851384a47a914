/**
 * Decodes a function body's expression into a flat instruction list with byte positions. The instrumenter copies
 * the original bytes of each instruction (pos..end) unchanged, so decoding only needs the immediates that
 * validation and instrumentation look at.
 */
import { ByteReader } from './bytes';
import { reject } from './errors';
import { FORBIDDEN_OPCODES, FORBIDDEN_PREFIXES, Imm, OPS, type OpInfo } from './opcodes';
import { WASM_LIMITS_V1 } from './policy';
import { T } from './types';

export interface Instr {
  readonly info: OpInfo;
  readonly pos: number;
  readonly end: number;
  /** Immediates: index / align / value, depending on the op. */
  readonly a: number;
  readonly b: number;
  /** br_table: the label list (the default is `a`). select_t: the types. */
  readonly list?: readonly number[];
  /** Block type: 'empty', 'val' (a = type code) or 'type' (a = type index). */
  readonly bt?: 'empty' | 'val' | 'type';
}

const VALUE_TYPE_BYTES = new Set<number>([T.i32, T.i64, T.f32, T.f64, T.v128, T.funcref, T.externref]);

export function readOpcode(r: ByteReader): OpInfo {
  const start = r.pos;
  const first = r.byte();
  let code = first;
  if (first === 0xfc || FORBIDDEN_PREFIXES.has(first)) {
    const feature = FORBIDDEN_PREFIXES.get(first);
    if (feature !== undefined) reject('ForbiddenFeature', `${feature} instruction (prefix 0x${first.toString(16)}) at byte ${start}`);
    const sub = r.u32();
    if (sub > 0xff) reject('Malformed', `unknown 0xfc sub-opcode ${sub} at byte ${start}`);
    code = (first << 8) | sub;
  }
  const info = OPS.get(code);
  if (info === undefined) {
    const feature = FORBIDDEN_OPCODES.get(code);
    if (feature !== undefined) reject('ForbiddenFeature', `${feature} at byte ${start}`);
    reject('Malformed', `unknown opcode 0x${code.toString(16)} at byte ${start}`);
  }
  return info;
}

function zeroByte(r: ByteReader, what: string): void {
  const at = r.pos;
  if (r.byte() !== 0) reject('ForbiddenFeature', `multi-memory: ${what} with a non-zero memory index at byte ${at}`);
}

/** Decodes `code` (a function body expression ending with its final `end`). Offsets are relative to `code`. */
export function decodeInstructions(code: Uint8Array): Instr[] {
  const r = new ByteReader(code);
  const out: Instr[] = [];
  let depth = 1; // the function body's own block
  while (depth > 0) {
    const pos = r.pos;
    const info = readOpcode(r);
    let a = 0;
    let b = 0;
    let list: number[] | undefined;
    let bt: Instr['bt'];
    switch (info.imm) {
      case Imm.none:
        break;
      case Imm.blockType: {
        const first = code[r.pos];
        if (first === T.empty) {
          r.byte();
          bt = 'empty';
        } else if (first !== undefined && VALUE_TYPE_BYTES.has(first)) {
          r.byte();
          bt = 'val';
          a = first;
        } else {
          const idx = r.sleb(33);
          if (idx < 0n) reject('Malformed', `bad block type at byte ${pos + 1}`);
          if (idx > 0xffffffffn) reject('InvalidIndex', `block type index ${idx} out of range`);
          bt = 'type';
          a = Number(idx);
        }
        break;
      }
      case Imm.label:
      case Imm.func:
      case Imm.local:
      case Imm.global:
      case Imm.dataDrop:
        a = r.u32();
        break;
      case Imm.brTable: {
        const n = r.u32();
        if (n > WASM_LIMITS_V1.brTableTargetsMax) reject('TooLarge', `br_table with ${n} targets at byte ${pos}`);
        list = [];
        for (let i = 0; i < n; i++) list.push(r.u32());
        a = r.u32();
        break;
      }
      case Imm.callIndirect:
        a = r.u32(); // type index
        b = r.u32(); // table index (validated against the table count)
        break;
      case Imm.memArg:
        a = r.u32();
        if (a >= 64) reject('ForbiddenFeature', `multi-memory: memarg with memory index at byte ${pos}`);
        b = r.u32();
        break;
      case Imm.memZero:
        zeroByte(r, info.name);
        break;
      case Imm.memoryInit:
        a = r.u32();
        zeroByte(r, info.name);
        break;
      case Imm.memoryCopy:
        zeroByte(r, info.name);
        zeroByte(r, info.name);
        break;
      case Imm.i32:
        r.sleb(32);
        break;
      case Imm.i64:
        r.sleb(64);
        break;
      case Imm.f32:
        r.bytes(4);
        break;
      case Imm.f64:
        r.bytes(8);
        break;
      case Imm.selectT: {
        const n = r.u32();
        if (n !== 1) reject('Malformed', `select with ${n} types at byte ${pos} (must be 1)`);
        list = [r.byte()];
        break;
      }
      default:
        reject('Malformed', `unhandled immediate kind for ${info.name}`);
    }
    if (info.code === 0x02 || info.code === 0x03 || info.code === 0x04) {
      depth++;
      if (depth > WASM_LIMITS_V1.controlDepthMax) reject('TooLarge', `blocks nested deeper than ${WASM_LIMITS_V1.controlDepthMax}`);
    } else if (info.code === 0x0b) depth--;
    out.push({ info, pos, end: r.pos, a, b, list, bt });
  }
  if (!r.eof) reject('Malformed', `${code.length - r.pos} bytes after the function body's final end`);
  return out;
}
