import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ModuleBuilder, block, i32c, i64c, ins, mem } from './asm';
import { idleInstances, IDLE_INSTANCES_MAX } from './instances';
import { ContractPanic, DEFAULT_POLICY_V2, callExport, compileProgramSync, instrumentModule, type CallOutcome, type HostFunctions, type WasmPolicy, type WasmProgram } from './index';

/**
 * Reusing an idle instance must be indistinguishable from a fresh one (vm-spec §7): any sequence of calls —
 * writes to memory and globals, traps half-way, out of gas, memory growth, start functions, nested calls of the
 * same program — gives, call by call, exactly the outcome of the same call on a brand-new instance.
 */
const POLICY: WasmPolicy = { ...DEFAULT_POLICY_V2, imports: [{ module: 'env', name: 'nest', params: ['i32'], results: ['i32'] }] };

/** Memory 1 page (data at 16), mutable globals g0: i32 = 7, g1: i64 = -5, immutable g2; a start function bumps g0. */
function stateful(withStart: boolean): WasmProgram {
  const b = new ModuleBuilder();
  const nest = b.import('env', 'nest', ['i32'], ['i32']);
  b.memory(1, 4);
  b.data(16, [1, 2, 3, 4, 5, 6, 7, 8]);
  const g0 = b.global('i32', true, 7);
  const g1 = b.global('i64', true, -5n);
  b.global('i32', false, 99);
  // poke(addr, v) -> old byte at addr (addr masked into the first page)
  b.func(['i32', 'i32'], ['i32'], ['i32'], [
    ...ins('local.get', 0), ...i32c(0xffff), ...ins('i32.and'), ...ins('local.tee', 0), ...mem('i32.load8_u'), ...ins('local.set', 2),
    ...ins('local.get', 0), ...ins('local.get', 1), ...mem('i32.store8'),
    ...ins('local.get', 2),
  ], 'poke');
  // bump() -> g0 += 1; g1 -= 3; returns g0 * 1000 + low bits of g1
  b.func([], ['i32'], [], [
    ...ins('global.get', g0), ...i32c(1), ...ins('i32.add'), ...ins('global.set', g0),
    ...ins('global.get', g1), ...i64c(3), ...ins('i64.sub'), ...ins('global.set', g1),
    ...ins('global.get', g0), ...i32c(1000), ...ins('i32.mul'), ...ins('global.get', g1), ...ins('i32.wrap_i64'), ...ins('i32.add'),
  ], 'bump');
  // scribble(v): write v over bytes 0..64, bump g0, then trap
  b.func(['i32'], [], [], [
    ...i32c(0), ...ins('local.get', 0), ...mem('i32.store'), ...i32c(60), ...ins('local.get', 0), ...mem('i32.store'),
    ...ins('global.get', g0), ...i32c(100), ...ins('i32.add'), ...ins('global.set', g0),
    ...ins('unreachable'),
  ], 'scribble');
  // spin(): write, bump, then loop until out of gas
  b.func([], [], [], [
    ...i32c(24), ...i32c(0x55), ...mem('i32.store8'), ...i32c(5), ...ins('global.set', g0),
    ...block('loop'), ...ins('br', 0), ...ins('end'),
  ], 'spin');
  // grow(n) -> memory.size after growing by n (a grown instance must not be reused)
  b.func(['i32'], ['i32'], [], [...ins('local.get', 0), ...ins('memory.grow'), ...ins('drop'), ...ins('memory.size'), ...i32c(24), ...i32c(9), ...mem('i32.store8')], 'grow');
  // sum() -> sum of bytes 0..32 + g0 + memory.size (reads all the state the others change)
  b.func([], ['i32'], ['i32', 'i32'], [
    ...block('loop'),
    ...ins('local.get', 1), ...ins('local.get', 0), ...mem('i32.load8_u'), ...ins('i32.add'), ...ins('local.set', 1),
    ...ins('local.get', 0), ...i32c(1), ...ins('i32.add'), ...ins('local.tee', 0), ...i32c(32), ...ins('i32.lt_u'), ...ins('br_if', 0),
    ...ins('end'),
    ...ins('local.get', 1), ...ins('global.get', g0), ...ins('i32.add'), ...ins('memory.size'), ...ins('i32.add'),
  ], 'sum');
  // reenter(v): poke byte 1, then the host runs sum() on this same program while this instance is live
  b.func(['i32'], ['i32'], [], [...i32c(1), ...ins('local.get', 0), ...mem('i32.store8'), ...ins('local.get', 0), ...ins('call', nest)], 'reenter');
  if (withStart) {
    const st = b.func([], [], [], [...ins('global.get', g0), ...i32c(10), ...ins('i32.add'), ...ins('global.set', g0), ...i32c(20), ...i32c(1), ...mem('i32.store8')]);
    b.m.start = st;
  }
  return compileProgramSync(instrumentModule(b.build(), POLICY));
}

type Call = { name: 'poke'; args: [number, number] } | { name: 'bump' | 'spin' | 'sum'; args: [] } | { name: 'scribble' | 'grow' | 'reenter'; args: [number] };
const call: fc.Arbitrary<Call> = fc.oneof(
  fc.record({ name: fc.constant('poke' as const), args: fc.tuple(fc.integer({ min: 0, max: 70_000 }), fc.integer({ min: 0, max: 255 })) }),
  fc.record({ name: fc.constantFrom('bump' as const, 'spin' as const, 'sum' as const), args: fc.constant([] as []) }),
  fc.record({ name: fc.constant('scribble' as const), args: fc.tuple(fc.integer()) }),
  fc.record({ name: fc.constant('grow' as const), args: fc.tuple(fc.integer({ min: 0, max: 2 })) }),
  fc.record({ name: fc.constant('reenter' as const), args: fc.tuple(fc.integer({ min: 0, max: 255 })) }),
);

function hostFor(p: WasmProgram, fresh: boolean): HostFunctions {
  return {
    env: {
      nest: (ctx) => {
        const out = callExport(p, 'sum', [], hostFor(p, fresh), ctx.gasLeft(), { depth: ctx.depth(), fresh });
        if (!out.ok) throw new ContractPanic(out.kind);
        ctx.chargeGas(out.gasUsed);
        return out.results[0] as number;
      },
    },
  };
}

describe('an idle instance reset for reuse behaves exactly like a fresh one', () => {
  for (const withStart of [false, true]) {
    it(`random call sequences give the fresh-instance outcome for every call (start function: ${withStart})`, () => {
      const p = stateful(withStart);
      const reused = hostFor(p, false);
      const fresh = hostFor(p, true);
      fc.assert(
        fc.property(fc.array(fc.tuple(call, fc.bigInt({ min: 0n, max: 3000n })), { minLength: 1, maxLength: 25 }), (seq) => {
          for (const [c, gas] of seq) {
            const a: CallOutcome = callExport(p, c.name, c.args, reused, gas);
            const b: CallOutcome = callExport(p, c.name, c.args, fresh, gas, { fresh: true });
            expect(a).toEqual(b);
          }
        }),
        { numRuns: 100, seed: 11 },
      );
    });
  }

  it('the initial state is what a fresh instance sees: data segment, globals, start function', () => {
    const p = stateful(true);
    const host = hostFor(p, false);
    const first = callExport(p, 'sum', [], host, 10_000n);
    callExport(p, 'poke', [20, 200], host, 10_000n);
    callExport(p, 'scribble', [0x01010101], host, 10_000n);
    callExport(p, 'spin', [], host, 500n);
    expect(callExport(p, 'sum', [], host, 10_000n)).toEqual(first);
    // data 1..8 at 16 + start's byte 1 at 20 replaced by... start writes 1 at 20 (was 5): 36 - 5 + 1 = 32; g0 = 7 + 10; 1 page.
    expect(first).toMatchObject({ ok: true, results: [32 + 17 + 1] });
  });

  it('a grown instance is dropped, idle instances are bounded', () => {
    const p = stateful(false);
    const host = hostFor(p, false);
    const before = idleInstances();
    expect(callExport(p, 'grow', [1], host, 10_000n)).toMatchObject({ ok: true, results: [2] });
    expect(callExport(p, 'sum', [], host, 10_000n)).toMatchObject({ ok: true, results: [36 + 7 + 1] });
    const programs = Array.from({ length: IDLE_INSTANCES_MAX + 4 }, () => stateful(false));
    for (const q of programs) callExport(q, 'bump', [], hostFor(q, false), 10_000n);
    expect(idleInstances()).toBe(IDLE_INSTANCES_MAX);
    expect(before).toBeLessThanOrEqual(IDLE_INSTANCES_MAX);
  });

  it('modules with a passive data segment or a mutable float global are never reused', () => {
    const passive = new ModuleBuilder();
    passive.memory(1);
    passive.passiveData([1, 2, 3]);
    passive.func([], ['i32'], [], [...i32c(0), ...i32c(0), ...i32c(3), ...ins('memory.init', 0), ...ins('data.drop', 0), ...i32c(2), ...mem('i32.load8_u')], 'once');
    const p = compileProgramSync(instrumentModule(passive.build(), DEFAULT_POLICY_V2));
    expect(p.reuse).toBeNull();
    // data.drop in one call must not make the next call's memory.init trap.
    expect(callExport(p, 'once', [], {}, 1000n)).toMatchObject({ ok: true, results: [3] });
    expect(callExport(p, 'once', [], {}, 1000n)).toMatchObject({ ok: true, results: [3] });

    const floats = new ModuleBuilder();
    floats.global('f64', true, 2);
    floats.func([], [], [], [], 'nop');
    expect(compileProgramSync(instrumentModule(floats.build(), { ...DEFAULT_POLICY_V2, floats: 'canonicalize' })).reuse).toBeNull();
  });
});
