import { describe, expect, it } from 'vitest';
import { ModuleBuilder, block, i32c, ins } from './asm';
import { ContractPanic, DEFAULT_POLICY_V2, callExport, compileProgramSync, instrumentModule, type CallOutcome, type HostFunctions, type WasmPolicy, type WasmProgram } from './index';

/**
 * vm-spec §5 (version 2): every instance of one call chain shares one frame budget. The host starts a nested
 * call at `ctx.depth()` of the calling instance, so recursion split over nested instances stops at exactly the
 * same total depth as recursion inside one instance.
 */
const POLICY: WasmPolicy = { ...DEFAULT_POLICY_V2, imports: [{ module: 'env', name: 'nest', params: ['i32'], results: [] }] };
const LIMIT = POLICY.stackFramesMax;

/**
 * chain(f, t, levels): recurses `levels == 0 ? t : f` frames (rec), and at the bottom, if levels > 0, asks the
 * host to run chain(f, t, levels - 1) in a new instance. One level holds chain + rec(x)..rec(0) = x + 2 frames,
 * so the deepest point of chain(f, t, L) is L·(f+2) + (t+2) units when every frame weighs 1.
 * `pad` extra i64 locals per rec frame (read once each so they stay live) make the frame bigger.
 */
function chainModule(pad: number): WasmProgram {
  const b = new ModuleBuilder();
  const nest = b.import('env', 'nest', ['i32'], []);
  const recBody = [
    ...ins('local.get', 0), ...block('if'),
    ...ins('local.get', 0), ...i32c(1), ...ins('i32.sub'), ...ins('local.get', 1), ...ins('call', 1),
    ...ins('else'),
    ...ins('local.get', 1), ...block('if'),
    ...ins('local.get', 1), ...i32c(1), ...ins('i32.sub'), ...ins('call', nest),
    ...ins('end'),
    ...ins('end'),
  ];
  for (let i = 0; i < pad; i++) recBody.push(...ins('local.get', i + 2), ...ins('drop'));
  const rec = b.func(['i32', 'i32'], [], Array(pad).fill('i64'), recBody);
  expect(rec).toBe(1);
  b.func(['i32', 'i32', 'i32'], [], [], [
    ...ins('local.get', 1), ...ins('local.get', 0), ...ins('local.get', 2), ...ins('i32.eqz'), ...ins('select'),
    ...ins('local.get', 2), ...ins('call', rec),
  ], 'chain');
  return compileProgramSync(instrumentModule(b.build(), POLICY));
}

interface Run {
  /** The outermost outcome. */
  outer: CallOutcome;
  /** Every nested outcome, innermost first. */
  nested: CallOutcome[];
  /** Starting depth of each nested instance, outermost first. */
  starts: number[];
}

function run(p: WasmProgram, f: number, t: number, levels: number, shared = true): Run {
  const nested: CallOutcome[] = [];
  const starts: number[] = [];
  const host: HostFunctions = {
    env: {
      nest: (ctx, lv) => {
        const depth = shared ? ctx.depth() : 0;
        starts.push(depth);
        const out = callExport(p, 'chain', [f, t, lv as number], host, ctx.gasLeft(), { depth });
        nested.push(out);
        ctx.chargeGas(out.gasUsed);
        if (!out.ok) throw new ContractPanic(`nested ${out.kind}`);
      },
    },
  };
  const outer = callExport(p, 'chain', [f, t, levels], host, 100_000_000n);
  return { outer, nested, starts };
}

describe('one frame budget across nested instances (vm-spec §5, version 2)', () => {
  const p = chainModule(0);

  it('a single instance reaches exactly the limit: L = 0, t + 2 = LIMIT', () => {
    expect(run(p, 0, LIMIT - 2, 0).outer.ok).toBe(true);
    expect(run(p, 0, LIMIT - 1, 0).outer).toMatchObject({ ok: false, kind: 'StackOverflow' });
  });

  it('recursion split across 4 instances stops at exactly the policy limit with StackOverflow', () => {
    const f = 200;
    const levels = 3;
    const t = LIMIT - levels * (f + 2) - 2; // the deepest frame is unit number LIMIT
    const ok = run(p, f, t, levels);
    expect(ok.outer.ok).toBe(true);
    expect(ok.nested.every((o) => o.ok)).toBe(true);
    // Each nested instance starts where its caller stood when it called the host: chain + f+1 rec frames per level.
    expect(ok.starts).toEqual([1, 2, 3].map((i) => i * (f + 2)));

    const over = run(p, f, t + 1, levels);
    expect(over.nested[0]).toMatchObject({ ok: false, kind: 'StackOverflow', message: 'call depth limit exceeded' });
    expect(over.nested.slice(1).every((o) => !o.ok && o.kind === 'Panic')).toBe(true);
    expect(over.outer).toMatchObject({ ok: false, kind: 'Panic', message: 'nested Panic' });
    // Deterministic: the same outcomes and gas on every run.
    expect(run(p, f, t + 1, levels)).toEqual(over);
    expect(run(p, f, t, levels)).toEqual(ok);
  });

  it('the limit is the same whichever level holds the frames', () => {
    for (const [f, levels] of [[0, 15], [10, 7], [500, 1]] as const) {
      const t = LIMIT - levels * (f + 2) - 2;
      expect(run(p, f, t, levels).outer.ok).toBe(true);
      const over = run(p, f, t + 1, levels);
      expect(over.nested[0]).toMatchObject({ ok: false, kind: 'StackOverflow' });
    }
  });

  it('without the shared start depth (version 1 host) the same chain runs far past the limit', () => {
    // What version 2 fixes: each instance had its own LIMIT, so 4 instances could stack 4× the frames.
    expect(run(p, 1000, 1000, 3, false).outer.ok).toBe(true);
    expect(run(p, 1000, 1000, 3, true).outer.ok).toBe(false);
  });

  it('16 nested instances with worst-case frames at the full budget stay inside the engine stack', () => {
    // 2 params + 27 padding locals + max operand stack 2 = 31 slots: the biggest frame that still weighs 1 unit.
    const worst = chainModule(27);
    const levels = 15;
    const f = 20;
    const t = LIMIT - levels * (f + 2) - 2;
    expect(run(worst, f, t, levels).outer.ok).toBe(true);
    expect(run(worst, f, t + 1, levels).nested[0]).toMatchObject({ kind: 'StackOverflow' });
  });

  it('a bad start depth is a node fault', () => {
    expect(() => callExport(p, 'chain', [0, 0, 0], {}, 100n, { depth: -1 })).toThrow(/start depth/);
    expect(() => callExport(p, 'chain', [0, 0, 0], {}, 100n, { depth: 1.5 })).toThrow(/start depth/);
    expect(callExport(p, 'chain', [0, 0, 0], { env: { nest: () => undefined } }, 100n, { depth: LIMIT })).toMatchObject({ ok: false, kind: 'StackOverflow', gasUsed: 0n });
  });
});
