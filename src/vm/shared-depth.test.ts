import { describe, expect, it } from 'vitest';
import { hname } from '../protocol';
import { encodeBlock } from '../state/block';
import { encU64 } from './dict';
import { Solo } from './solo/solo';
import { ModuleBuilder, block, i32c, ins, mem } from './wasm/asm';

/**
 * The shared frame budget through the real host ABI: a contract recursing and then calling itself through
 * `iscp.call` stops at exactly WASM_POLICY.stackFramesMax frame units in total, over all nested instances.
 */
const LIMIT = 1024;

/**
 * Contract `deep`, entry point `go` with params f, n, t (u64): recurses `n == 0 ? t : f` frames, and at the
 * bottom, if n > 0, calls deep.go(f, n - 1, t). One level holds go + rec(x)..rec(0) = x + 2 frames of weight 1,
 * so the deepest point is n·(f+2) + (t+2) units.
 *
 * Memory 0..55 holds the params dict the contract passes on: count 3, then f, n, t (keys sorted) with 8-byte
 * values at 13, 30, 47; the keys themselves ('f' at 8, 'n' at 25, 't' at 42) are what param_get looks up.
 */
function deepContract(): Uint8Array {
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
  const rec = b.func(['i32', 'i32'], [], [], [
    ...ins('local.get', 0), ...block('if'),
    ...ins('local.get', 0), ...i32c(1), ...ins('i32.sub'), ...ins('local.get', 1), ...ins('call', recIndex),
    ...ins('else'),
    ...ins('local.get', 1), ...block('if'),
    // n := n - 1 in the dict, then deep.go(dict)
    ...i32c(30), ...ins('local.get', 1), ...i32c(1), ...ins('i32.sub'), ...ins('i64.extend_i32_u'), ...mem('i64.store'),
    ...ins('call', contract), ...i32c(hname('go') | 0), ...i32c(0), ...i32c(dict.length), ...i32c(0), ...i32c(0), ...ins('call', call), ...ins('drop'),
    ...ins('end'),
    ...ins('end'),
  ]);
  expect(rec).toBe(recIndex);
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

function attempt(f: number, n: number, t: number) {
  const ch = Solo.newChain({ seed: 7 });
  expect(ch.deployContract('deep', deepContract()).ok).toBe(true);
  const r = ch.postRequest({ contract: 'deep', entryPoint: 'go', params: { f: encU64(BigInt(f)), n: encU64(BigInt(n)), t: encU64(BigInt(t)) } });
  return { r, block: encodeBlock(ch.lastResults.at(-1)!.block!) };
}

describe('nested contract calls share one frame budget (wasm policy v2)', () => {
  it('recursion split across 4 nested contract calls stops at exactly the policy limit with StackOverflow', () => {
    const f = 200;
    const n = 3;
    const t = LIMIT - n * (f + 2) - 2;
    const ok = attempt(f, n, t);
    expect(ok.r.ok).toBe(true);
    const over = attempt(f, n, t + 1);
    expect(over.r.error).toEqual({ kind: 'StackOverflow', message: 'call depth limit exceeded' });
    // Deterministic: byte-identical blocks and identical gas on repeated runs.
    const again = attempt(f, n, t + 1);
    expect(again.r.gasUsed).toBe(over.r.gasUsed);
    expect(again.block).toEqual(over.block);
    expect(attempt(f, n, t).block).toEqual(ok.block);
  });

  it('the same total limit with all frames in one instance', () => {
    expect(attempt(0, 0, LIMIT - 2).r.ok).toBe(true);
    expect(attempt(0, 0, LIMIT - 1).r.error?.kind).toBe('StackOverflow');
  });

  it('16 levels of calls (VM_LIMITS.callDepthMax) at the full frame budget end in a receipt, not an engine fault', () => {
    const n = 15; // the request's own call + 15 nested ones
    const f = 10;
    const t = LIMIT - n * (f + 2) - 2;
    expect(attempt(f, n, t).r.ok).toBe(true);
    expect(attempt(f, n, t + 1).r.error?.kind).toBe('StackOverflow');
    expect(attempt(0, 16, 0).r.error?.kind).toBe('CallDepthExceeded');
  });
});
