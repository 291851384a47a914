import { describe, expect, it } from 'vitest';
import { utf8 } from '../protocol';
import { encU64, decU64 } from './dict';
import { partitionPrefix } from './partition';
import { Solo, type SoloChain } from './solo/solo';
import { contractWasm as wasm } from './examples/wasm-fixture';
import { ModuleBuilder, i32c, ins, block } from './wasm/asm';
import { VM_LIMITS } from './params';
import { encodeBlock } from '../state/block';

function chainWithMisbehave(): SoloChain {
  const ch = Solo.newChain({ seed: 3 });
  expect(ch.deployContract('misbehave', wasm('misbehave')).ok).toBe(true);
  expect(ch.deployContract('counter', wasm('counter')).ok).toBe(true);
  return ch;
}

/** Every failure is recorded with its kind, the attached funds go back to the sender's account, the chain goes on. */
function expectContained(ch: SoloChain, entryPoint: string, kind: string, params: Record<string, Uint8Array> = {}) {
  const before = ch.iotas(ch.owner);
  const r = ch.postRequest({ contract: 'misbehave', entryPoint, transfer: 25n, params });
  expect(r.ok).toBe(false);
  expect(r.error?.kind).toBe(kind);
  expect(ch.iotas(ch.owner)).toBe(before + 25n);
  expect(ch.postRequest({ contract: 'counter', entryPoint: 'increment' }).ok).toBe(true);
  ch.checkInvariant();
  return r;
}

describe('bad programs are refused at deployment with a specific error', () => {
  it('non-wasm blob', () => {
    const ch = Solo.newChain();
    const r = ch.deployContract('junk', utf8('this is not wasm at all'));
    expect(r.error?.kind).toBe('InvalidProgram');
    expect(r.error?.message).toMatch(/NotWasm|Malformed/);
  });
  it('unknown VM type', () => {
    const ch = Solo.newChain();
    expect(ch.deployContract('evm', wasm('counter'), { vmType: 'evm' }).error).toEqual({ kind: 'InvalidProgram', message: "unknown VM type 'evm'" });
  });
  it('forbidden import (not in the host ABI)', () => {
    const b = new ModuleBuilder();
    b.import('wasi_snapshot_preview1', 'fd_write', ['i32', 'i32', 'i32', 'i32'], ['i32']);
    b.func([], [], [], [], 'run');
    const r = Solo.newChain().deployContract('wasi', b.build());
    expect(r.error?.kind).toBe('InvalidProgram');
    expect(r.error?.message).toMatch(/ForbiddenImport/);
  });
  it('host import with the wrong signature', () => {
    const b = new ModuleBuilder();
    b.import('iscp', 'timestamp', [], ['i32']);
    b.func([], [], [], [], 'run');
    expect(Solo.newChain().deployContract('sig', b.build()).error?.message).toMatch(/ForbiddenImport/);
  });
  it('forbidden feature (floats)', () => {
    const b = new ModuleBuilder();
    b.func([], [], ['f64'], [0x44, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x21, 0], 'run'); // f64.const 1; local.set 0
    const r = Solo.newChain().deployContract('float', b.build());
    expect(r.error?.kind).toBe('InvalidProgram');
    expect(r.error?.message).toMatch(/ForbiddenFeature/);
  });
  it('a refused deployment leaves no contract behind', () => {
    const ch = Solo.newChain();
    ch.deployContract('junk', utf8('nope'));
    expect(ch.postRequest({ contract: 'junk', entryPoint: 'x' }).error?.kind).toBe('NoSuchContract');
  });
});

describe('misbehaving contracts are contained', () => {
  it('missing entry point and wrong params', () => {
    const ch = chainWithMisbehave();
    expectContained(ch, 'noSuchEntryPoint', 'NoSuchEntryPoint');
    expectContained(ch, 'writeKey', 'Panic'); // missing param k
  });

  it('infinite loop ends with OutOfGas at exactly the same point every run (byte-identical blocks)', () => {
    const blocks: Uint8Array[] = [];
    for (let i = 0; i < 2; i++) {
      const ch = chainWithMisbehave();
      const r = expectContained(ch, 'loopForever', 'OutOfGas');
      expect(r.gasUsed).toBe(VM_LIMITS.gasLimitPerRequestDefault);
      blocks.push(encodeBlock(ch.lastResults.at(-2)!.block!));
    }
    expect(blocks[0]).toEqual(blocks[1]);
  });

  it('deep stacks across nested wasm calls end with a recorded error, never an engine stack fault', () => {
    const ch = chainWithMisbehave();
    ch.gasLimitOverride = 1_000_000_000n; // more than governance allows a chain: the VM's own bounds must hold
    // Shallow levels: the call-depth limit ends the endless self-call chain…
    const r = expectContained(ch, 'deepThenCall', 'CallDepthExceeded', { n: encU64(10n) });
    expect(r.error?.message).toMatch(/call depth 16 reached the limit 16/);
    // …deep levels: the frame budget shared by all nested instances runs out first.
    for (const n of [1000n, 5000n]) expectContained(ch, 'deepThenCall', 'StackOverflow', { n: encU64(n) });
  });

  it('memory bomb is stopped (memory cap or gas), deep recursion gives StackOverflow', () => {
    const ch = chainWithMisbehave();
    // Zeroing each new MiB costs instructions, so the default budget runs out first…
    expectContained(ch, 'memoryBomb', 'OutOfGas');
    // …and with a huge budget (no chain may set one: governance refuses it) the allocator hits the forced memory
    // maximum and traps.
    expect(ch.postRequest({ contract: 'governance', entryPoint: 'setChainParams', params: { gasLimitPerRequest: encU64(10_000_000_000n) } }).error?.kind).toBe('BadParams');
    ch.gasLimitOverride = 10_000_000_000n;
    const r = expectContained(ch, 'memoryBomb', 'Trap');
    expect(r.gasUsed).toBeLessThan(10_000_000_000n);
    expectContained(ch, 'recurse', 'StackOverflow');
  });

  it('a nested panic fails the whole request and rolls back its writes', () => {
    const ch = chainWithMisbehave();
    const r = expectContained(ch, 'callPanics', 'Panic');
    expect(r.error?.message).toBe('nested panic');
    const ids = ch.lastResults.at(-2)!.updates[0]!.mutations.map((m) => new TextDecoder().decode(m.key.subarray(4)));
    expect(ids.some((k) => k.includes('before'))).toBe(false);
  });

  it('overspending gives InsufficientFunds; writing too many keys gives LimitExceeded; views cannot write', () => {
    const ch = chainWithMisbehave();
    expectContained(ch, 'overspend', 'InsufficientFunds');
    // with the default gas the write loop runs out of gas first; raise the chain's limit through governance
    expect(ch.postRequest({ contract: 'governance', entryPoint: 'setChainParams', params: { gasLimitPerRequest: encU64(100_000_000n) } }).ok).toBe(true);
    expectContained(ch, 'manyKeys', 'LimitExceeded');
    expect(() => ch.callView('misbehave', 'writes')).toThrow(/ReadOnly/);
  });

  it("cannot read another contract's state: keys are always inside its own partition", () => {
    const ch = chainWithMisbehave();
    expect(ch.postRequest({ contract: 'counter', entryPoint: 'increment' }).ok).toBe(true);
    // counter's key 'counter' lives at hname(counter) ‖ 'counter'. misbehave asking for that full key reads its own partition.
    const foreign = new Uint8Array([...partitionPrefix(ch.contractAgent('counter').hname), ...utf8('counter')]);
    expect(decU64(ch.callView('misbehave', 'readKey', { k: foreign }).bytes('found'))).toBe(0n);
    expect(ch.postRequest({ contract: 'misbehave', entryPoint: 'writeKey', params: { k: utf8('counter') } }).ok).toBe(true);
    expect(decU64(ch.callView('counter', 'getCounter').bytes('counter'))).toBe(1n);
    expect(decU64(ch.callView('misbehave', 'readKey', { k: utf8('counter') }).bytes('found'))).toBe(1n);
  });

  it('a trap in hand-made wasm (unreachable) is a Trap', () => {
    const b = new ModuleBuilder();
    b.func([], [], [], [...block('block'), ...ins('unreachable'), 0x0b], 'boom');
    const ch = Solo.newChain();
    expect(ch.deployContract('trap', b.build()).ok).toBe(true);
    const r = ch.postRequest({ contract: 'trap', entryPoint: 'boom', transfer: 3n });
    expect(r.error).toEqual({ kind: 'Trap', message: 'unreachable' });
    expect(ch.iotas(ch.owner)).toBe(3n);
    void i32c;
  });
});
