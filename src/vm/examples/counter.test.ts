import { contractWasm as wasm } from './wasm-fixture';
import { describe, expect, it } from 'vitest';
import { decU64, encU64 } from '../dict';
import { Solo } from '../solo/solo';


describe('counter (wasm)', () => {
  it('deploys with init params, increments, and the view reads it', () => {
    const ch = Solo.newChain();
    const d = ch.deployContract('counter', wasm('counter'), { initParams: { counter: encU64(40n) } });
    expect(d).toMatchObject({ ok: true });
    expect(ch.postRequest({ contract: 'counter', entryPoint: 'increment' }).ok).toBe(true);
    const r = ch.postRequest({ contract: 'counter', entryPoint: 'increment' });
    expect(r.ok).toBe(true);
    expect(r.gasUsed).toBeGreaterThan(0n);
    expect(decU64(ch.callView('counter', 'getCounter').bytes('counter'))).toBe(42n);
    expect(ch.events('counter').map((e) => e.message)).toEqual(['counter = 41', 'counter = 42']);
  });

  it('bad params give a recorded error; the chain goes on', () => {
    const ch = Solo.newChain();
    ch.deployContract('counter', wasm('counter'));
    const r = ch.postRequest({ contract: 'counter', entryPoint: 'increment', params: { n: new Uint8Array(3) }, transfer: 10n });
    expect(r.ok).toBe(false);
    expect(r.error?.kind).toBe('Panic');
    expect(r.error?.message).toMatch(/u64/);
    expect(ch.iotas(ch.owner)).toBe(10n);
    expect(ch.postRequest({ contract: 'counter', entryPoint: 'increment' }).ok).toBe(true);
    expect(decU64(ch.callView('counter', 'getCounter').bytes('counter'))).toBe(1n);
    ch.checkInvariant();
  });
});
