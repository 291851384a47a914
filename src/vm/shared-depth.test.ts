import { describe, expect, it } from 'vitest';
import { encodeBlock } from '../state/block';
import { encU64 } from './dict';
import { Solo } from './solo/solo';
import { deepContract } from './selftest-stack';

/**
 * The shared frame budget through the real host ABI: a contract recursing and then calling itself through
 * `iscp.call` stops at exactly WASM_POLICY.stackFramesMax frame units in total, over all nested instances.
 */
const LIMIT = 1024;

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
