/**
 * Measures the engine's real stack headroom at the VM's depth limit (vm-spec §5): the worst-case frame (the
 * biggest that still weighs one unit) at the full budget, in one instance and spread over 16 nested ones, must
 * never hit the engine's own RangeError; and how deep the engine itself would let that frame go. Engine- and
 * thread-dependent by nature, so these figures are reported, never part of any consensus digest.
 */
import { ModuleBuilder, block, i32c, ins, mem } from './wasm/asm';
import { ContractPanic, DEFAULT_POLICY_V2, VmNodeFault, WASM_LIMITS_V1, callExport, compileProgramSync, instrumentModule, type HostFunctions, type WasmPolicy, type WasmProgram } from './wasm/index';
import { hname } from '../protocol';
import { encU64 } from './dict';
import { VM_LIMITS } from './params';
import { Solo } from './solo/solo';

export interface StackProbe {
  readonly policyFramesMax: number;
  /** Worst-case 1-unit frames at the full budget in one instance: ok, or the error text. */
  readonly fullDepth: string;
  /** The same budget spread over VM_LIMITS.callDepthMax nested instances with a JS host call between each. */
  readonly nestedFullDepth: string;
  /**
   * The same through the real path: a contract (`deepContract(23)`) calling itself 15 times via the host ABI
   * (sandbox, call context, processor between the instances) in a Solo chain, the deepest frame at the limit.
   */
  readonly contractNestedFullDepth: string;
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

  const contractNestedFullDepth = contractChain(limit);

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
    contractNestedFullDepth,
    engineFramesMax,
    probeFramesMax: PROBE_FRAMES_MAX,
    headroom: engineFramesMax === null ? null : Math.round((engineFramesMax / limit) * 100) / 100,
  };
}

/** 2 params + 23 padding locals + max operand stack 6 (the host `call`'s arguments) = 31 slots: 1 unit. */
export const DEEP_CONTRACT_WORST_PAD = WASM_LIMITS_V1.frameUnitSlots - 1 - 2 - 6;

/** ok at exactly `limit` units and StackOverflow one unit later, or what happened instead. */
function contractChain(limit: number): string {
  const n = VM_LIMITS.callDepthMax - 1;
  const f = Math.floor(limit / (n + 1)) - 2;
  const t = limit - n * (f + 2) - 2;
  const post = (last: number): string => {
    try {
      const ch = Solo.newChain({ seed: 5 });
      const d = ch.deployContract('deep', deepContract(DEEP_CONTRACT_WORST_PAD));
      if (!d.ok) return `deploy failed: ${d.error?.kind}`;
      const r = ch.postRequest({ contract: 'deep', entryPoint: 'go', params: { f: encU64(BigInt(f)), n: encU64(BigInt(n)), t: encU64(BigInt(last)) } });
      return r.ok ? 'ok' : `contract outcome ${r.error?.kind ?? '?'}`;
    } catch (e) {
      return e instanceof VmNodeFault ? `node fault: ${e.message}` : `error: ${String(e)}`;
    }
  };
  const atLimit = post(t);
  const over = post(t + 1);
  return atLimit === 'ok' && over === 'contract outcome StackOverflow' ? 'ok' : `at the limit: ${atLimit}; one unit over: ${over}`;
}

/**
 * Contract `deep`, entry point `go` with params f, n, t (u64): recurses `n == 0 ? t : f` frames, and at the
 * bottom, if n > 0, calls deep.go(f, n - 1, t). One level holds go + rec(x)..rec(0) = x + 2 frames of weight 1,
 * so the deepest point is n·(f+2) + (t+2) units.
 *
 * Memory 0..55 holds the params dict the contract passes on: count 3, then f, n, t (keys sorted) with 8-byte
 * values at 13, 30, 47; the keys themselves ('f' at 8, 'n' at 25, 't' at 42) are what param_get looks up.
 * `pad` extra i64 locals in rec (read once each): 23 make it the biggest frame that still weighs 1 unit.
 */
export function deepContract(pad = 0): Uint8Array {
  const dict: number[] = [3, 0, 0, 0];
  for (const k of 'fnt') dict.push(1, 0, 0, 0, k.charCodeAt(0), 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  const b = new ModuleBuilder();
  const paramGet = b.import('iscp', 'param_get', ['i32', 'i32'], ['i32']);
  const retCopy = b.import('iscp', 'ret_copy', ['i32'], []);
  const contract = b.import('iscp', 'contract', [], ['i32']);
  const call = b.import('iscp', 'call', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32'], ['i32']);
  b.memory(1);
  b.data(0, dict);
  const recIndex = 4;
  const rec = b.func(['i32', 'i32'], [], Array(pad).fill('i64'), [
    ...ins('local.get', 0), ...block('if'),
    ...ins('local.get', 0), ...i32c(1), ...ins('i32.sub'), ...ins('local.get', 1), ...ins('call', recIndex),
    ...ins('else'),
    ...ins('local.get', 1), ...block('if'),
    // n := n - 1 in the dict, then deep.go(dict)
    ...i32c(30), ...ins('local.get', 1), ...i32c(1), ...ins('i32.sub'), ...ins('i64.extend_i32_u'), ...mem('i64.store'),
    ...ins('call', contract), ...i32c(hname('go') | 0), ...i32c(0), ...i32c(dict.length), ...i32c(0), ...i32c(0), ...ins('call', call), ...ins('drop'),
    ...ins('end'),
    ...ins('end'),
    ...Array.from({ length: pad }, (_, i) => [...ins('local.get', i + 2), ...ins('drop')]).flat(),
  ]);
  if (rec !== recIndex) throw new Error('deepContract: function indices moved');
  const load = (key: number, at: number) => [...i32c(key), ...i32c(1), ...ins('call', paramGet), ...ins('drop'), ...i32c(at), ...ins('call', retCopy)];
  b.func([], [], [], [
    ...load(8, 13), ...load(25, 30), ...load(42, 47),
    // rec(n == 0 ? t : f, n)
    ...i32c(47), ...mem('i64.load'), ...ins('i32.wrap_i64'),
    ...i32c(13), ...mem('i64.load'), ...ins('i32.wrap_i64'),
    ...i32c(30), ...mem('i64.load'), ...ins('i64.eqz'),
    ...ins('select'),
    ...i32c(30), ...mem('i64.load'), ...ins('i32.wrap_i64'),
    ...ins('call', rec),
  ], 'go');
  return b.build();
}

