/**
 * Measures the engine's real stack headroom at the VM's depth limit (vm-spec §5): the worst-case frame (the
 * biggest that still weighs one unit) at the full budget, in one instance and spread over 16 nested ones, must
 * never hit the engine's own RangeError; and how deep the engine itself would let that frame go. Engine- and
 * thread-dependent by nature, so these figures are reported, never part of any consensus digest.
 */
import { ModuleBuilder, block, i32c, ins } from './wasm/asm';
import { ContractPanic, DEFAULT_POLICY_V2, VmNodeFault, WASM_LIMITS_V1, callExport, compileProgramSync, instrumentModule, type HostFunctions, type WasmPolicy, type WasmProgram } from './wasm/index';
import { VM_LIMITS } from './params';

export interface StackProbe {
  readonly policyFramesMax: number;
  /** Worst-case 1-unit frames at the full budget in one instance: ok, or the error text. */
  readonly fullDepth: string;
  /** The same budget spread over VM_LIMITS.callDepthMax nested instances with a JS host call between each. */
  readonly nestedFullDepth: string;
  /** Largest n of worst-case frames the engine ran before its RangeError (null: more than probeFramesMax). */
  readonly engineFramesMax: number | null;
  readonly probeFramesMax: number;
  /** engineFramesMax / policyFramesMax. */
  readonly headroom: number | null;
}

/** checkPolicy's upper bound for stackFramesMax: the probe's ceiling. */
const PROBE_FRAMES_MAX = 100_000;
/** Binary-search steps (bounds the probe's work: ~17 runs of at most PROBE_FRAMES_MAX frames). */
const SEARCH_STEPS_MAX = 20;

/**
 * rec(n, levels): n frames, then (levels > 0) a host call that starts rec(n2, levels - 1) in a new instance.
 * 2 params + 27 padding locals + max operand stack 2 = 31 slots: the biggest frame that weighs 1 unit.
 */
function worstCase(policy: WasmPolicy): WasmProgram {
  const b = new ModuleBuilder();
  const nest = b.import('env', 'nest', ['i32'], []);
  const pad = WASM_LIMITS_V1.frameUnitSlots - 1 - 2 - 2;
  const body = [
    ...ins('local.get', 0), ...block('if'),
    ...ins('local.get', 0), ...i32c(1), ...ins('i32.sub'), ...ins('local.get', 1), ...ins('call', 1),
    ...ins('else'),
    ...ins('local.get', 1), ...block('if'), ...ins('local.get', 1), ...i32c(1), ...ins('i32.sub'), ...ins('call', nest), ...ins('end'),
    ...ins('end'),
  ];
  for (let i = 0; i < pad; i++) body.push(...ins('local.get', i + 2), ...ins('drop'));
  b.func(['i32', 'i32'], [], Array(pad).fill('i64'), body, 'rec');
  return compileProgramSync(instrumentModule(b.build(), { ...policy, imports: [{ module: 'env', name: 'nest', params: ['i32'], results: [] }] }));
}

const GAS = 1n << 40n;
/** For single-instance runs (levels = 0): rec never calls it. */
const NO_NEST: HostFunctions = { env: { nest: () => undefined } };

function outcomeText(run: () => { ok: boolean; kind?: string }): string {
  try {
    const o = run();
    return o.ok ? 'ok' : `contract outcome ${o.kind ?? '?'}`;
  } catch (e) {
    return e instanceof VmNodeFault ? `node fault: ${e.message}` : `error: ${String(e)}`;
  }
}

export function probeStack(policy: WasmPolicy = DEFAULT_POLICY_V2): StackProbe {
  const limit = policy.stackFramesMax;
  const p = worstCase(policy);
  // rec(n, 0) holds n + 1 frames.
  const fullDepth = outcomeText(() => callExport(p, 'rec', [limit - 1, 0], NO_NEST, GAS));

  // Nested: every level holds `per` frames, the last one the rest, so the deepest point is exactly `limit`.
  const levels = VM_LIMITS.callDepthMax - 1;
  const per = Math.floor(limit / (levels + 1));
  const host: HostFunctions = {
    env: {
      nest: (ctx, lv) => {
        const left = lv as number;
        const frames = left === 0 ? limit - ctx.depth() : per;
        const out = callExport(p, 'rec', [frames - 1, left], host, ctx.gasLeft(), { depth: ctx.depth() });
        ctx.chargeGas(out.gasUsed);
        if (!out.ok) throw new ContractPanic(out.kind);
      },
    },
  };
  const nestedFullDepth = outcomeText(() => callExport(p, 'rec', [per - 1, levels], host, GAS));

  // How deep the engine itself goes with this frame, from this thread's current stack position.
  const big = worstCase({ ...policy, stackFramesMax: PROBE_FRAMES_MAX });
  const runs = (n: number): boolean => {
    try {
      return callExport(big, 'rec', [n - 1, 0], NO_NEST, GAS).ok;
    } catch (e) {
      if (e instanceof VmNodeFault) return false;
      throw e;
    }
  };
  let engineFramesMax: number | null = null;
  if (!runs(PROBE_FRAMES_MAX)) {
    let lo = 1;
    let hi = PROBE_FRAMES_MAX;
    for (let i = 0; i < SEARCH_STEPS_MAX && hi - lo > 1; i++) {
      const mid = Math.floor((lo + hi) / 2);
      if (runs(mid)) lo = mid;
      else hi = mid;
    }
    engineFramesMax = lo;
  }
  return {
    policyFramesMax: limit,
    fullDepth,
    nestedFullDepth,
    engineFramesMax,
    probeFramesMax: PROBE_FRAMES_MAX,
    headroom: engineFramesMax === null ? null : Math.round((engineFramesMax / limit) * 100) / 100,
  };
}
