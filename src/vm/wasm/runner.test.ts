import { describe, expect, it } from 'vitest';
import { ModuleBuilder, block, ins } from './asm';
import { DEFAULT_POLICY_V1, callExport, compileProgramSync, instrumentModule } from './index';

function basic(): Uint8Array {
  const b = new ModuleBuilder();
  b.memory(1);
  b.func(['i32', 'i32'], ['i32'], [], [...ins('local.get', 0), ...ins('local.get', 1), ...ins('i32.add')], 'add');
  b.func([], [], [], [...block('loop'), ...ins('br', 0), ...ins('end')], 'spin');
  b.func([], [], [], [...ins('call', 2)], 'rec');
  return b.build();
}

describe('runner basics', () => {
  const program = compileProgramSync(instrumentModule(basic(), DEFAULT_POLICY_V1));

  it('lists the contract entry points only', () => {
    expect(program.exports).toEqual(['add', 'rec', 'spin']);
  });

  it('returns results and gas used', () => {
    const r = callExport(program, 'add', [2, 3], {}, 1000n);
    expect(r).toEqual({ ok: true, results: [5], gasUsed: 3n });
  });

  it('an infinite loop runs out of gas with gasUsed == gasLimit', () => {
    expect(callExport(program, 'spin', [], {}, 1000n)).toMatchObject({ ok: false, kind: 'OutOfGas', gasUsed: 1000n });
  });

  it('unbounded recursion ends in StackOverflow, not an engine RangeError', () => {
    expect(callExport(program, 'rec', [], {}, 10_000_000n)).toMatchObject({ ok: false, kind: 'StackOverflow' });
  });
});
