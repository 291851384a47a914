import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ModuleBuilder, block, i32c, i64c, ins, mem } from './asm';
import { encodeModule } from './encode';
import { DEFAULT_POLICY_V1, WasmRejected, instrumentModule, type WasmPolicy } from './index';
import { parseModule } from './parse';
import { ByteReader, ByteWriter } from './bytes';

const POLICY: WasmPolicy = { ...DEFAULT_POLICY_V1, imports: [{ module: 'env', name: 'log', params: ['i32', 'i32'], results: [] }] };

/** A module touching most sections and control shapes. */
export function richModule(): Uint8Array {
  const b = new ModuleBuilder();
  b.import('env', 'log', ['i32', 'i32'], []);
  b.memory(1, 4);
  b.table(2);
  const g = b.global('i32', true, 3);
  b.global('i64', false, -5n);
  const add = b.func(['i32', 'i32'], ['i32'], [], [...ins('local.get', 0), ...ins('local.get', 1), ...ins('i32.add')], 'add');
  b.func(['i32'], ['i32'], ['i64', 'i32'], [
    ...block('block'),
    ...block('loop'),
    ...ins('local.get', 0), ...ins('i32.eqz'), ...ins('br_if', 1),
    ...ins('local.get', 0), ...i32c(1), ...ins('i32.sub'), ...ins('local.set', 0),
    ...ins('local.get', 1), ...i64c(3), ...ins('i64.mul'), ...ins('local.set', 1),
    ...ins('local.get', 0), ...i32c(3), ...ins('i32.and'),
    ...ins('br_table', 2, 0, 1, 0),
    ...ins('end'),
    ...ins('end'),
    ...ins('local.get', 0), ...block('if', 'i32'), ...i32c(1), ...ins('else'), ...i32c(2), ...ins('end'),
    ...i32c(7), ...i32c(0), ...ins('call_indirect', 1, 0), // type 1 = (i32, i32) -> i32
    ...ins('global.get', g), ...ins('i32.add'),
    ...i32c(0), ...i32c(8), ...ins('call', 0),
    ...i32c(0), ...i32c(4), ...i32c(4), ...ins('memory.copy'),
    ...i32c(0), ...mem('i32.load', 2, 4), ...ins('drop'),
    ...ins('local.get', 0), ...ins('return'),
  ], 'work');
  b.elem(0, [add, add]);
  b.data(0, new TextEncoder().encode('hello wasm'));
  return b.build();
}

describe('parse/encode round trip', () => {
  it('the rich module is valid for both the engine and this validator', () => {
    expect(WebAssembly.validate(richModule() as Uint8Array<ArrayBuffer>)).toBe(true);
    expect(() => instrumentModule(richModule(), POLICY)).not.toThrow();
  });

  it('re-encodes canonical modules byte for byte', () => {
    for (const bytes of [richModule(), new ModuleBuilder().build(), new ModuleBuilder().memory(1).build()]) {
      expect(WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)).toBe(true);
      expect(encodeModule(parseModule(bytes))).toEqual(bytes);
    }
  });

  it('keeps custom sections in place', () => {
    const m = parseModule(richModule());
    m.customs.push({ name: 'x', payload: Uint8Array.of(1, 0x78, 9, 9), after: 1 }, { name: 'y', payload: Uint8Array.of(1, 0x79), after: 11 });
    const bytes = encodeModule(m);
    expect(encodeModule(parseModule(bytes))).toEqual(bytes);
  });

  it('the instrumented module parses, validates, and re-encodes identically', () => {
    const out = instrumentModule(richModule(), POLICY);
    expect(WebAssembly.validate(out as Uint8Array<ArrayBuffer>)).toBe(true);
    expect(encodeModule(parseModule(out, true))).toEqual(out);
  });
});

describe('LEB128', () => {
  it('u32 and s64 round trip at the edges', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), (u, s) => {
        const w = new ByteWriter().u32(u).sleb(s);
        const r = new ByteReader(w.finish());
        return r.u32() === u && r.sleb(64) === s && r.eof;
      }),
    );
  });
});

describe('robustness: random mutations', () => {
  const base = richModule();
  const policy = POLICY;
  function check(bytes: Uint8Array): void {
    let out: Uint8Array | undefined;
    try {
      out = instrumentModule(bytes, policy);
    } catch (e) {
      if (!(e instanceof WasmRejected)) throw e;
      // Our validator must catch whatever the engine catches, and instrumentation must never produce invalid wasm.
      if (e.code === 'EngineRejected') throw new Error(`validator gap or instrumenter bug: ${e.message}`);
      return;
    }
    expect(WebAssembly.validate(out as Uint8Array<ArrayBuffer>)).toBe(true);
  }

  it('byte mutations never crash with anything but WasmRejected', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (muts) => {
        const bytes = base.slice();
        for (const [i, v] of muts) bytes[i] = v;
        check(bytes);
      }),
      { numRuns: 3000 },
    );
  });

  it('truncations and insertions never crash with anything but WasmRejected', () => {
    fc.assert(
      fc.property(fc.nat(base.length), fc.uint8Array({ maxLength: 6 }), fc.boolean(), (at, insert, truncate) => {
        const bytes = truncate ? base.slice(0, at) : Uint8Array.from([...base.slice(0, at), ...insert, ...base.slice(at)]);
        check(bytes);
      }),
      { numRuns: 1500 },
    );
  });
});
