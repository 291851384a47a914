import { describe, expect, it } from 'vitest';
import { ModuleBuilder, block, f32c, i32c, i64c, ins, mem, u32 } from './asm';
import { ByteWriter } from './bytes';
import { DEFAULT_POLICY_V1, WasmRejected, instrumentModule, type WasmPolicy, type WasmRejectCode } from './index';
import { parseModule } from './parse';

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
/** A module from raw sections, for shapes the builder cannot express. */
function raw(...sections: [number, number[]][]): Uint8Array {
  const w = new ByteWriter().bytes(HEADER);
  for (const [id, body] of sections) w.byte(id).u32(body.length).bytes(body);
  return w.finish();
}
/** Type section with one () -> () type, function section with one function, code section with `body`. */
function oneFunc(body: number[], locals: number[] = []): Uint8Array {
  const code = [...u32(locals.length > 0 ? 1 : 0), ...(locals.length > 0 ? [...u32(locals.length), locals[0] as number] : []), ...body, 0x0b];
  return raw([1, [1, 0x60, 0, 0]], [3, [1, 0]], [5, [1, 0x00, 1]], [10, [1, ...u32(code.length), ...code]]);
}

const POLICY: WasmPolicy = {
  ...DEFAULT_POLICY_V1,
  imports: [{ module: 'env', name: 'log', params: ['i32', 'i32'], results: [] }],
};

function rejection(bytes: Uint8Array, policy: WasmPolicy = POLICY): WasmRejected {
  try {
    instrumentModule(bytes, policy);
  } catch (e) {
    if (e instanceof WasmRejected) return e;
    throw e;
  }
  throw new Error('module was accepted');
}

function expectCode(bytes: Uint8Array, code: WasmRejectCode, policy?: WasmPolicy, text?: RegExp): void {
  const e = rejection(bytes, policy);
  expect(e.code, e.message).toBe(code);
  if (text) expect(e.message).toMatch(text);
}

describe('the baseline test modules are valid', () => {
  it('oneFunc([]) is accepted', () => {
    expect(WebAssembly.validate(oneFunc([]) as Uint8Array<ArrayBuffer>)).toBe(true);
    expect(instrumentModule(oneFunc([]), POLICY).length).toBeGreaterThan(0);
  });
});

describe('not wasm', () => {
  it.each([
    ['empty', []],
    ['text', [...new TextEncoder().encode('(module)')]],
    ['wrong magic', [0x00, 0x61, 0x73, 0x6e, 1, 0, 0, 0]],
    ['component-model layer', [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]],
  ])('%s', (_n, bytes) => expectCode(Uint8Array.from(bytes), 'NotWasm'));
});

describe('forbidden features', () => {
  it.each<[string, Uint8Array, RegExp]>([
    ['SIMD instruction', oneFunc([...i32c(0), 0xfd, 0x0f, 0x1a]), /SIMD/],
    ['SIMD v128 local', oneFunc([], [0x7b]), /SIMD/],
    ['atomics', oneFunc([...i32c(0), ...i32c(0), 0xfe, 0x00, 0x02, 0x00, 0x1a]), /threads/],
    ['atomic.fence', oneFunc([0xfe, 0x03, 0x00]), /threads/],
    ['exceptions: try', oneFunc([0x06, 0x40, 0x0b]), /exceptions/],
    ['exceptions: throw', oneFunc([0x08, 0x00]), /exceptions/],
    ['exceptions: try_table', oneFunc([0x1f, 0x40, 0x00, 0x0b]), /exceptions/],
    ['exceptions: tag section', raw([1, [1, 0x60, 0, 0]], [13, [1, 0, 0]]), /exceptions/],
    ['tail call: return_call', raw([1, [1, 0x60, 0, 0]], [3, [1, 0]], [10, [1, 4, 0, 0x12, 0, 0x0b]]), /tail call/],
    ['tail call: return_call_indirect', oneFunc([...i32c(0), 0x13, 0, 0]), /tail call/],
    ['GC struct type', raw([1, [1, 0x5f, 0]]), /GC/],
    ['GC recursive group', raw([1, [1, 0x4e, 0]]), /GC/],
    ['GC prefix', oneFunc([0xfb, 0x00, 0x00]), /GC/],
    ['externref param', raw([1, [1, 0x60, 1, 0x6f, 0]]), /reference/],
    ['table.get', oneFunc([...i32c(0), 0x25, 0x00, 0x1a]), /reference types/],
    ['table.grow', oneFunc([0xd0, 0x70, ...i32c(1), 0xfc, 0x0f, 0x00, 0x1a]), /reference types/],
    ['ref.func in code', oneFunc([0xd2, 0x00, 0x1a]), /reference types/],
    ['shared memory', raw([5, [1, 0x03, 1, 2]]), /shared/],
    ['memory64', raw([5, [1, 0x04, 1]]), /64-bit/],
    ['two memories', raw([5, [2, 0x00, 1, 0x00, 1]]), /multi-memory/],
    ['memarg with memory index', oneFunc([...i32c(0), 0x28, 0x40, 0x01, 0x00, 0x1a]), /multi-memory/],
    ['memory.size of memory 1', oneFunc([0x3f, 0x01, 0x1a]), /multi-memory/],
    ['float instruction under forbid', oneFunc([...f32c(1), ...f32c(2), ...ins('f32.add'), 0x1a]), /float/],
    ['float local under forbid', oneFunc([], [0x7c]), /float/],
  ])('%s → ForbiddenFeature', (_n, bytes, text) => expectCode(bytes, 'ForbiddenFeature', POLICY, text));

  it('float params are rejected under forbid and accepted under canonicalize', () => {
    const b = new ModuleBuilder();
    b.func(['f64'], ['f64'], [], [...ins('local.get', 0)], 'id');
    expectCode(b.build(), 'ForbiddenFeature', POLICY, /float/);
    expect(() => instrumentModule(b.build(), { ...POLICY, floats: 'canonicalize' })).not.toThrow();
  });
});

describe('imports', () => {
  it('the allowlisted function with its exact signature is accepted', () => {
    const b = new ModuleBuilder();
    b.import('env', 'log', ['i32', 'i32'], []);
    b.func([], [], [], [...i32c(1), ...i32c(2), ...ins('call', 0)], 'go');
    expect(() => instrumentModule(b.build(), POLICY)).not.toThrow();
  });
  it('a function not on the allowlist is ForbiddenImport', () => {
    const b = new ModuleBuilder();
    b.import('env', 'random', [], ['i32']);
    expectCode(b.build(), 'ForbiddenImport', POLICY, /env\.random/);
  });
  it('an allowlisted name with another signature is ForbiddenImport', () => {
    const b = new ModuleBuilder();
    b.import('env', 'log', ['i32'], []);
    expectCode(b.build(), 'ForbiddenImport', POLICY, /signature/);
  });
  it.each<[string, number[]]>([
    ['memory', [0x02, 0x00, 0x01]],
    ['table', [0x01, 0x70, 0x00, 0x01]],
    ['global', [0x03, 0x7f, 0x00]],
  ])('a %s import is ForbiddenImport', (_n, desc) => {
    expectCode(raw([2, [1, 3, ...new TextEncoder().encode('env'), 1, 0x78, ...desc]]), 'ForbiddenImport');
  });
});

describe('indices are range-checked against the original module', () => {
  function withGlobals(body: number[]): Uint8Array {
    const b = new ModuleBuilder();
    b.global('i32', true, 7);
    b.func([], [], [], body, 'f');
    return b.build();
  }
  it('global.get of the index the gas global will take is InvalidIndex', () => {
    // The original has 1 global, so index 1 is where instrumentation appends the gas global.
    expectCode(withGlobals([...ins('global.get', 1), ...ins('drop')]), 'InvalidIndex', POLICY, /global 1/);
    expectCode(withGlobals([...i64c(5), ...ins('global.set', 1)]), 'InvalidIndex');
    expectCode(withGlobals([...i32c(5), ...ins('global.set', 3)]), 'InvalidIndex');
  });
  it('calling a function the instrumenter would append is InvalidIndex', () => {
    expectCode(withGlobals([...ins('call', 1)]), 'InvalidIndex', POLICY, /function index 1/);
  });
  it.each<[string, number[]]>([
    ['local', [...ins('local.get', 0), ...ins('drop')]],
    ['label depth', [...ins('br', 1)]],
    ['type index of a block', [0x02, 0x05, 0x0b]],
    ['call_indirect without a table', [...i32c(0), ...ins('call_indirect', 0, 0)]],
    ['data segment without a data count', [...i32c(0), ...i32c(0), ...i32c(0), ...ins('memory.init', 0)]],
  ])('%s', (_n, body) => {
    const b = new ModuleBuilder();
    b.memory(1);
    b.func([], [], [], body, 'f');
    const e = rejection(b.build());
    expect(['InvalidIndex', 'Malformed']).toContain(e.code);
  });
  it('an export of a missing function is InvalidIndex', () => {
    const b = new ModuleBuilder();
    b.export('f', 0, 3);
    expectCode(b.build(), 'InvalidIndex');
  });
  it('an element segment naming a missing function is InvalidIndex', () => {
    const b = new ModuleBuilder();
    b.table(1);
    b.elem(0, [4]);
    expectCode(b.build(), 'InvalidIndex');
  });
});

describe('segments that would trap at instantiation (issue #12: deployed, then every call trapped)', () => {
  const withData = (pages: number, offset: number, len: number): Uint8Array => new ModuleBuilder().memory(pages).data(offset, new Array<number>(len).fill(7)).build();
  it('a data segment ending exactly at the initial memory size is accepted', () => {
    expect(instrumentModule(withData(1, 65_532, 4), POLICY).length).toBeGreaterThan(0);
  });
  it.each([
    ['one byte past one page', withData(1, 65_533, 4), /data segment 0 writes 4 at offset 65533, past the initial 65536 bytes/],
    ['a negative offset (read unsigned)', withData(1, -1, 1), /offset 4294967295/],
    ['any bytes in a zero-page memory', withData(0, 0, 1), /past the initial 0 bytes/],
  ])('%s is InvalidIndex', (_n, bytes, text) => {
    expect(() => new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>))).toThrow(); // the engine would trap
    expectCode(bytes, 'InvalidIndex', POLICY, text);
  });
  it('an element segment past the initial table size is InvalidIndex', () => {
    const b = new ModuleBuilder();
    b.table(1);
    const f = b.func([], [], [], []);
    b.elem(1, [f]);
    expectCode(b.build(), 'InvalidIndex', POLICY, /element segment 0 writes 1 at offset 1, past the initial 1 table elements/);
  });
});

describe('other rules', () => {
  it('an export under the reserved prefix is ForbiddenExport', () => {
    const b = new ModuleBuilder();
    b.func([], [], [], [], '__iscp_gas');
    expectCode(b.build(), 'ForbiddenExport');
  });
  it('memory minimum above the policy maximum is TooLarge', () => {
    expectCode(new ModuleBuilder().memory(257).build(), 'TooLarge', POLICY, /257/);
  });
  it('the memory maximum is forced to the policy maximum', () => {
    for (const max of [undefined, 1000, 65536]) {
      const out = parseModule(instrumentModule(new ModuleBuilder().memory(1, max).build(), POLICY), true);
      expect(out.memories[0]).toEqual({ min: 1, max: 256 });
    }
    const out = parseModule(instrumentModule(new ModuleBuilder().memory(1, 3).build(), POLICY), true);
    expect(out.memories[0]).toEqual({ min: 1, max: 3 });
  });
  it('operand type errors are TypeMismatch', () => {
    expectCode(oneFunc([...i32c(1), ...i64c(2), ...ins('i32.add'), ...ins('drop')]), 'TypeMismatch');
    expectCode(oneFunc([...i32c(1)]), 'TypeMismatch');
    expectCode(oneFunc([...ins('drop')]), 'TypeMismatch');
    expectCode(oneFunc([...i32c(1), ...block('if', 'i32'), ...i32c(2), ...ins('end'), ...ins('drop')]), 'TypeMismatch');
    expectCode(oneFunc([...i32c(0), ...mem('i32.load', 3), ...ins('drop')]), 'TypeMismatch', POLICY, /alignment/);
  });
  it('unknown sections and opcodes are Malformed', () => {
    expectCode(raw([14, [0]]), 'Malformed', POLICY, /section/);
    expectCode(oneFunc([0xc5]), 'Malformed', POLICY, /opcode/);
    expectCode(oneFunc([0xfc, 0x20]), 'Malformed', POLICY, /opcode/);
  });
  it('out-of-order and repeated sections are Malformed', () => {
    expectCode(raw([3, [0]], [1, [0]]), 'Malformed', POLICY, /order/);
    expectCode(raw([1, [0]], [1, [0]]), 'Malformed', POLICY, /order/);
  });
  it('over-long or oversized LEB128 is Malformed', () => {
    expectCode(raw([1, [0x80, 0x80, 0x80, 0x80, 0x80, 0x00]]), 'Malformed', POLICY, /LEB/);
    expectCode(raw([1, [0x80, 0x80, 0x80, 0x80, 0x10]]), 'Malformed', POLICY, /LEB/);
    // i32.const with unused bits that are not sign bits.
    expectCode(oneFunc([0x41, 0x80, 0x80, 0x80, 0x80, 0x70, 0x1a]), 'Malformed', POLICY, /LEB/);
  });
  it('a policy of another version is BadPolicy', () => {
    expectCode(oneFunc([]), 'BadPolicy', { ...POLICY, version: 3 });
  });
});
