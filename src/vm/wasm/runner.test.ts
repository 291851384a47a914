import { describe, expect, it } from 'vitest';
import { ModuleBuilder, block, f32bits, f32c, f64bits, f64c, i32c, i64c, ins, mem } from './asm';
import {
  ContractPanic,
  DEFAULT_POLICY_V1,
  VmNodeFault,
  WASM_LIMITS_V1,
  callExport,
  compileProgramSync,
  instrumentModule,
  type CallOutcome,
  type HostFunctions,
  type WasmPolicy,
} from './index';

const POLICY: WasmPolicy = {
  ...DEFAULT_POLICY_V1,
  imports: [
    { module: 'env', name: 'charge', params: ['i32'], results: [] },
    { module: 'env', name: 'panic', params: [], results: [] },
    { module: 'env', name: 'fault', params: [], results: [] },
    { module: 'env', name: 'store', params: ['i32', 'i32'], results: [] },
  ],
};

function program(b: ModuleBuilder, policy: WasmPolicy = POLICY) {
  return compileProgramSync(instrumentModule(b.build(), policy));
}

function loopModule(): ModuleBuilder {
  const b = new ModuleBuilder();
  b.memory(1);
  b.func(['i32', 'i32'], ['i32'], [], [...ins('local.get', 0), ...ins('local.get', 1), ...ins('i32.add')], 'add');
  b.func([], [], [], [...block('loop'), ...ins('br', 0), ...ins('end')], 'spin');
  // count(n): i = 0; loop { i++; if i < n continue } ; return i
  b.func(['i32'], ['i32'], ['i32'], [
    ...block('loop'),
    ...ins('local.get', 1), ...i32c(1), ...ins('i32.add'), ...ins('local.tee', 1),
    ...ins('local.get', 0), ...ins('i32.lt_u'), ...ins('br_if', 0),
    ...ins('end'),
    ...ins('local.get', 1),
  ], 'count');
  return b;
}

describe('results and gas', () => {
  const p = program(loopModule());

  it('lists the contract entry points only', () => {
    expect(p.exports).toEqual(['add', 'count', 'spin']);
  });

  it('returns results and the documented gas (one unit per instruction, structural ones free)', () => {
    expect(callExport(p, 'add', [2, 3], {}, 1000n)).toEqual({ ok: true, results: [5], gasUsed: 3n });
  });

  it('gas of a loop is linear in its iterations and identical on repeated runs', () => {
    const used = (n: number): bigint => {
      const r = callExport(p, 'count', [n], {}, 1_000_000n);
      if (!r.ok) throw new Error(r.message);
      expect(r.results).toEqual([n]);
      return r.gasUsed;
    };
    const g1 = used(1);
    const g2 = used(2);
    const perIteration = g2 - g1;
    // The loop body block: local.get, i32.const, i32.add, local.tee, local.get, i32.lt_u, br_if.
    expect(perIteration).toBe(7n);
    for (const n of [3, 10, 1000]) expect(used(n)).toBe(g1 + perIteration * BigInt(n - 1));
    expect(used(1000)).toBe(used(1000));
  });

  it('the out-of-gas point is exact: gasUsed(n) suffices, one less runs out', () => {
    for (const n of [1, 7, 500]) {
      const ok = callExport(p, 'count', [n], {}, 1_000_000n) as Extract<CallOutcome, { ok: true }>;
      expect(callExport(p, 'count', [n], {}, ok.gasUsed)).toEqual(ok);
      expect(callExport(p, 'count', [n], {}, ok.gasUsed - 1n)).toEqual({ ok: false, kind: 'OutOfGas', message: 'out of gas', gasUsed: ok.gasUsed - 1n });
    }
  });

  it('an infinite loop runs out of gas with gasUsed == gasLimit, the same on every run and budget', () => {
    for (const limit of [0n, 1n, 999n, 100_000n]) {
      const a = callExport(p, 'spin', [], {}, limit);
      expect(a).toEqual({ ok: false, kind: 'OutOfGas', message: 'out of gas', gasUsed: limit });
      expect(callExport(p, 'spin', [], {}, limit)).toEqual(a);
    }
  });

  it('bad arguments and gas limits are node faults, a missing entry point is a Trap', () => {
    expect(() => callExport(p, 'add', [1], {}, 10n)).toThrow(VmNodeFault);
    expect(() => callExport(p, 'add', [1, 2n], {}, 10n)).toThrow(VmNodeFault);
    expect(() => callExport(p, 'add', [1, 2], {}, -1n)).toThrow(VmNodeFault);
    expect(callExport(p, 'nope', [], {}, 10n)).toMatchObject({ ok: false, kind: 'Trap' });
  });
});

describe('call depth', () => {
  /** rec(n): recurses until n == 0 (n counts frames), with `locals` extra i64 locals in every frame. */
  function recursion(locals: number): ModuleBuilder {
    const b = new ModuleBuilder();
    const body = [
      ...ins('local.get', 0), ...block('if'),
      ...ins('local.get', 0), ...i32c(1), ...ins('i32.sub'), ...ins('call', 0),
      ...ins('end'),
    ];
    for (let i = 0; i < locals; i++) body.push(...ins('local.get', i + 1), ...ins('drop'));
    b.func(['i32'], [], Array(locals).fill('i64'), body, 'rec');
    return b;
  }

  it('recursion hits StackOverflow exactly past the policy depth', () => {
    const p = program(recursion(0));
    // rec(n) makes n+1 frames.
    expect(callExport(p, 'rec', [POLICY.stackFramesMax - 1], {}, 10_000_000n).ok).toBe(true);
    expect(callExport(p, 'rec', [POLICY.stackFramesMax], {}, 10_000_000n)).toMatchObject({ ok: false, kind: 'StackOverflow' });
    const small = program(recursion(0), { ...POLICY, stackFramesMax: 10 });
    expect(callExport(small, 'rec', [9], {}, 1_000_000n).ok).toBe(true);
    const a = callExport(small, 'rec', [10], {}, 1_000_000n);
    expect(a).toMatchObject({ ok: false, kind: 'StackOverflow' });
    expect(callExport(small, 'rec', [10], {}, 1_000_000n)).toEqual(a);
  });

  it('big frames take several units, and the limit is reached before the engine runs out of stack', () => {
    // 1 param + 95 locals + max operand stack 2 = 98 slots → 1 + floor(98/32) = 4 units per frame.
    const slots = 1 + 95 + 2;
    const units = 1 + Math.floor(slots / WASM_LIMITS_V1.frameUnitSlots);
    const p = program(recursion(95));
    const frames = Math.floor(POLICY.stackFramesMax / units);
    expect(callExport(p, 'rec', [frames - 1], {}, 100_000_000n).ok).toBe(true);
    expect(callExport(p, 'rec', [frames], {}, 100_000_000n)).toMatchObject({ kind: 'StackOverflow' });
    // The worst case per unit (31 slots in a 1-unit frame) at the full depth must still fit the native stack.
    // 1 param + 28 locals + max operand stack 2 = 31 slots → 1 unit.
    const worst = program(recursion(28));
    expect(callExport(worst, 'rec', [POLICY.stackFramesMax - 1], {}, 100_000_000n)).toMatchObject({ ok: true });
    expect(callExport(worst, 'rec', [POLICY.stackFramesMax], {}, 100_000_000n)).toMatchObject({ kind: 'StackOverflow' });
  });
});

describe('memory', () => {
  function bomb(): ModuleBuilder {
    const b = new ModuleBuilder();
    b.memory(1);
    // grow(n) → memory.grow result; bomb(): grow 1 page forever, return the first failing result.
    b.func(['i32'], ['i32'], [], [...ins('local.get', 0), ...ins('memory.grow')], 'grow');
    b.func([], ['i32'], ['i32'], [
      ...block('loop'), ...i32c(1), ...ins('memory.grow'), ...ins('local.tee', 0), ...i32c(-1), ...ins('i32.ne'), ...ins('br_if', 0), ...ins('end'),
      ...ins('local.get', 0),
    ], 'bomb');
    b.func(['i32', 'i32', 'i32'], [], [], [...ins('local.get', 0), ...ins('local.get', 1), ...ins('local.get', 2), ...ins('memory.fill')], 'fill');
    return b;
  }
  const p = program(bomb());

  it('memory.grow past the forced maximum returns -1 (and each page is charged)', () => {
    const r = callExport(p, 'bomb', [], {}, 10_000_000n);
    expect(r).toMatchObject({ ok: true, results: [-1] });
    // 255 successful pages + 1 failing request, 1000 gas per requested page.
    expect((r as { gasUsed: bigint }).gasUsed).toBeGreaterThan(256n * 1000n);
    expect(callExport(p, 'grow', [255], {}, 10_000_000n)).toMatchObject({ ok: true, results: [1] });
    expect(callExport(p, 'grow', [256], {}, 10_000_000n)).toMatchObject({ ok: true, results: [-1] });
  });

  it('a memory bomb with a small budget runs out of gas', () => {
    expect(callExport(p, 'bomb', [], {}, 50_000n)).toMatchObject({ ok: false, kind: 'OutOfGas', gasUsed: 50_000n });
    expect(callExport(p, 'grow', [-1], {}, 1_000_000n)).toMatchObject({ ok: false, kind: 'OutOfGas' });
  });

  it('bulk memory is charged per started 8 bytes of its length, before running', () => {
    const base = callExport(p, 'fill', [0, 1, 0], {}, 1_000_000n) as { gasUsed: bigint };
    expect(callExport(p, 'fill', [0, 1, 1], {}, 1_000_000n)).toMatchObject({ ok: true, gasUsed: base.gasUsed + 1n });
    expect(callExport(p, 'fill', [0, 1, 8], {}, 1_000_000n)).toMatchObject({ ok: true, gasUsed: base.gasUsed + 1n });
    expect(callExport(p, 'fill', [0, 1, 65536], {}, 1_000_000n)).toMatchObject({ ok: true, gasUsed: base.gasUsed + 8192n });
    // Out of bounds traps deterministically, after the charge.
    expect(callExport(p, 'fill', [65536, 1, 1], {}, 1_000_000n)).toMatchObject({ ok: false, kind: 'Trap', message: 'memory access out of bounds', gasUsed: base.gasUsed + 1n });
  });
});

describe('traps', () => {
  it('engine traps are Trap with canonical messages and deterministic gas', () => {
    const b = new ModuleBuilder();
    b.memory(1);
    b.func([], [], [], [...ins('unreachable')], 'u');
    b.func([], ['i32'], [], [...i32c(1), ...i32c(0), ...ins('i32.div_s')], 'div0');
    b.func([], ['i32'], [], [...i32c(-0x80000000), ...i32c(-1), ...ins('i32.div_s')], 'ovf');
    b.func([], ['i32'], [], [...i32c(70000), ...mem('i32.load', 2)], 'oob');
    const p = program(b);
    expect(callExport(p, 'u', [], {}, 100n)).toEqual({ ok: false, kind: 'Trap', message: 'unreachable', gasUsed: 1n });
    expect(callExport(p, 'div0', [], {}, 100n)).toMatchObject({ kind: 'Trap', message: 'integer divide by zero', gasUsed: 6n });
    expect(callExport(p, 'ovf', [], {}, 100n)).toMatchObject({ kind: 'Trap', message: 'integer overflow' });
    expect(callExport(p, 'oob', [], {}, 100n)).toMatchObject({ kind: 'Trap', message: 'memory access out of bounds' });
  });
});

describe('host functions', () => {
  const b = new ModuleBuilder();
  b.import('env', 'charge', ['i32'], []);
  b.import('env', 'panic', [], []);
  b.import('env', 'fault', [], []);
  b.import('env', 'store', ['i32', 'i32'], []);
  b.memory(1);
  b.func(['i32'], [], [], [...ins('local.get', 0), ...ins('call', 0)], 'charge');
  b.func([], [], [], [...ins('call', 1)], 'panic');
  b.func([], [], [], [...ins('call', 2)], 'fault');
  b.func([], ['i32'], [], [...i32c(16), ...i32c(42), ...ins('call', 3), ...i32c(16), ...mem('i32.load8_u')], 'store');
  const p = program(b);
  const host: HostFunctions = {
    env: {
      charge: (ctx, n) => ctx.chargeGas(n as number),
      panic: () => {
        throw new ContractPanic('contract said no');
      },
      fault: () => {
        throw new TypeError('bug in a host function');
      },
      store: (ctx, addr, v) => {
        ctx.memory()[addr as number] = v as number;
      },
    },
  };

  it('chargeGas spends from the same budget and runs out deterministically', () => {
    const base = callExport(p, 'charge', [0], host, 1000n) as { gasUsed: bigint };
    expect(callExport(p, 'charge', [100], host, 1000n)).toEqual({ ok: true, results: [], gasUsed: base.gasUsed + 100n });
    expect(callExport(p, 'charge', [1000], host, 1000n)).toEqual({ ok: false, kind: 'OutOfGas', message: 'out of gas', gasUsed: 1000n });
  });

  it('ContractPanic from a host function ends the call as Panic', () => {
    expect(callExport(p, 'panic', [], host, 1000n)).toMatchObject({ ok: false, kind: 'Panic', message: 'contract said no' });
  });

  it('any other host error is a VmNodeFault, never an outcome', () => {
    expect(() => callExport(p, 'fault', [], host, 1000n)).toThrow(VmNodeFault);
    expect(() => callExport(p, 'fault', [], {}, 1000n)).toThrow(/does not provide/);
  });

  it('host functions see the instance memory', () => {
    expect(callExport(p, 'store', [], host, 1000n)).toMatchObject({ ok: true, results: [42] });
  });
});

describe('floats: canonicalize', () => {
  const CANON = { ...POLICY, floats: 'canonicalize' as const };
  it('every NaN-producing result has the canonical bit pattern', () => {
    const b = new ModuleBuilder();
    b.memory(1);
    // Store the results of NaN-producing operations on NaNs with payloads, then read the bits back.
    const nan32 = f32bits(0xffc12345); // negative NaN with a payload
    const nan64 = f64bits(0xfff123456789abcdn);
    b.func([], ['i32'], [], [...i32c(0), ...nan32, ...f32c(1), ...ins('f32.add'), ...mem('f32.store', 2), ...i32c(0), ...mem('i32.load', 2)], 'add32');
    b.func([], ['i32'], [], [...i32c(0), ...f32c(0), ...f32c(0), ...ins('f32.div'), ...mem('f32.store', 2), ...i32c(0), ...mem('i32.load', 2)], 'zeroDiv32');
    b.func([], ['i64'], [], [...i32c(0), ...nan64, ...ins('f64.sqrt'), ...mem('f64.store', 3), ...i32c(0), ...mem('i64.load', 3)], 'sqrt64');
    b.func([], ['i64'], [], [...i32c(0), ...nan32, ...ins('f64.promote_f32'), ...mem('f64.store', 3), ...i32c(0), ...mem('i64.load', 3)], 'promote');
    b.func([], ['i64'], [], [...i32c(0), ...f64c(1.5), ...f64c(2.25), ...ins('f64.mul'), ...mem('f64.store', 3), ...i32c(0), ...mem('i64.load', 3)], 'mul');
    // neg only flips the sign bit: not canonicalized (deterministic on every engine).
    b.func([], ['i32'], [], [...nan32, ...ins('f32.neg'), ...ins('i32.reinterpret_f32')], 'neg');
    const p = program(b, CANON);
    expect(callExport(p, 'add32', [], {}, 1000n)).toMatchObject({ ok: true, results: [0x7fc00000] });
    expect(callExport(p, 'zeroDiv32', [], {}, 1000n)).toMatchObject({ ok: true, results: [0x7fc00000] });
    expect(callExport(p, 'sqrt64', [], {}, 1000n)).toMatchObject({ ok: true, results: [0x7ff8000000000000n] });
    expect(callExport(p, 'promote', [], {}, 1000n)).toMatchObject({ ok: true, results: [0x7ff8000000000000n] });
    expect(callExport(p, 'mul', [], {}, 1000n)).toMatchObject({ ok: true, results: [BigInt.asIntN(64, new BigUint64Array(Float64Array.of(3.375).buffer)[0] as bigint)] });
    expect(callExport(p, 'neg', [], {}, 1000n)).toMatchObject({ ok: true, results: [0x7fc12345] });
  });
});

describe('instances are fresh per call', () => {
  it('a global written in one call is back to its initial value in the next', () => {
    const b = new ModuleBuilder();
    const g = b.global('i64', true, 5n);
    b.func([], ['i64'], [], [...ins('global.get', g), ...i64c(1), ...ins('i64.add'), ...ins('global.set', g), ...ins('global.get', g)], 'bump');
    const p = program(b);
    expect(callExport(p, 'bump', [], {}, 100n)).toMatchObject({ results: [6n] });
    expect(callExport(p, 'bump', [], {}, 100n)).toMatchObject({ results: [6n] });
  });
});

describe('start function', () => {
  it('runs metered at the beginning of every call, not at instantiation', () => {
    const b = new ModuleBuilder();
    const g = b.global('i32', true, 0);
    const start = b.func([], [], [], [...ins('global.get', g), ...i32c(10), ...ins('i32.add'), ...ins('global.set', g)]);
    b.func([], ['i32'], [], [...ins('global.get', g)], 'get');
    b.m.start = start;
    const p = program(b);
    // start: 4 instructions, get: 1.
    expect(callExport(p, 'get', [], {}, 100n)).toEqual({ ok: true, results: [10], gasUsed: 5n });
    expect(callExport(p, 'get', [], {}, 100n)).toEqual({ ok: true, results: [10], gasUsed: 5n });
    expect(callExport(p, 'get', [], {}, 3n)).toMatchObject({ ok: false, kind: 'OutOfGas' });
  });
});
