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

  it("a contract's init runs only at deployment: a request to init (any contract's, core ones too) is refused, state kept", () => {
    const ch = Solo.newChain();
    ch.deployContract('counter', wasm('counter'), { initParams: { counter: encU64(5n) } });
    expect(ch.postRequest({ contract: 'counter', entryPoint: 'increment' }).ok).toBe(true);
    for (const contract of ['counter', 'governance', 'accounts']) {
      const r = ch.postRequest({ contract, entryPoint: 'init', params: { counter: encU64(0n) } });
      expect(r.ok, contract).toBe(false);
      expect(r.error?.kind, contract).toBe('Unauthorized');
      expect(r.error?.message).toContain("'init' runs only when root deploys the contract");
    }
    expect(decU64(ch.callView('counter', 'getCounter').bytes('counter'))).toBe(6n);
    // Deployment still runs init, with the deployer as caller.
    expect(ch.deployContract('counter2', wasm('counter'), { initParams: { counter: encU64(9n) } })).toMatchObject({ ok: true });
    expect(decU64(ch.callView('counter2', 'getCounter').bytes('counter'))).toBe(9n);
    ch.checkInvariant();
  });
});
