import { describe, expect, it } from 'vitest';
import { AddressKind, agentIDBytes } from '../protocol';
import { createRegistry, nativeProgramHash as nativeHash, decU64, encAddress, encU64, NativeProcessor, CORE_HNAMES as H, CORE_EP as EP, CORE_PARAMS as P, GOV_P } from './index';
import { Solo } from './solo/solo';
import { encU32 } from './dict';
import { VM_LIMITS } from './params';
import { governanceMaxBatchSize } from './core/governance';
import { contractWasm as wasm } from './examples/wasm-fixture';

describe('governance', () => {
  it('owner sets chain params and marks a committee rotation pending; others are refused', () => {
    const ch = Solo.newChain();
    const next = { kind: AddressKind.BLS, digest: new Uint8Array(32).fill(9) };
    const eve = ch.newWallet('eve');
    expect(decU64(ch.callView(H.governance, EP.governance.getChainParams).bytes(GOV_P.gasLimitPerRequest))).toBe(5_000_000n);
    expect(ch.postRequest({ contract: H.governance, entryPoint: EP.governance.setChainParams, params: { [GOV_P.gasLimitPerRequest]: encU64(10n) } }).error?.kind).toBe('BadParams');
    expect(ch.postRequest({ contract: H.governance, entryPoint: EP.governance.addCandidateCommittee, params: { [P.address]: encAddress(next) }, sender: eve }).error?.kind).toBe('Unauthorized');
    expect(ch.postRequest({ contract: H.governance, entryPoint: EP.governance.rotateCommittee, params: { [P.address]: encAddress(next) } }).error?.kind).toBe('BadParams');
    expect(ch.postRequest({ contract: H.governance, entryPoint: EP.governance.addCandidateCommittee, params: { [P.address]: encAddress(next) } }).ok).toBe(true);
    expect(ch.callView(H.governance, EP.governance.getCandidateCommittees).size).toBe(1);
    expect(ch.postRequest({ contract: H.governance, entryPoint: EP.governance.rotateCommittee, params: { [P.address]: encAddress(next) } }).ok).toBe(true);
    expect(ch.callView(H.governance, EP.governance.getPendingRotation).bytes(P.address)).toEqual(encAddress(next));
  });

  it('a contract with deploy permission deploys another contract through root', () => {
    const registry = createRegistry();
    let programHash: Uint8Array = new Uint8Array(32);
    registry.registerNative(
      new NativeProcessor('factory', {
        make: { fn: (ctx) => ctx.deployContract(programHash, ctx.params.string('name'), 'made by factory', ctx.params.clone()) },
      }),
    );
    const ch = Solo.newChain({ registry });
    expect(ch.deployProgram('factory', new Uint8Array(nativeHash('factory'))).ok).toBe(true);
    const counter = wasm('counter');
    expect(ch.deployContract('counter', counter).ok).toBe(true);
    programHash = ch.programHashOf(counter, 'wasm', 'counter');
    const denied = ch.postRequest({ contract: 'factory', entryPoint: 'make', params: { name: new TextEncoder().encode('c2') } });
    expect(denied.error?.kind).toBe('Unauthorized');
    expect(ch.postRequest({ contract: H.root, entryPoint: EP.root.grantDeployPermission, params: { [P.deployer]: agentIDBytes(ch.contractAgent('factory')) } }).ok).toBe(true);
    expect(ch.postRequest({ contract: 'factory', entryPoint: 'make', params: { name: new TextEncoder().encode('c2'), counter: encU64(5n) } }).ok).toBe(true);
    expect(ch.postRequest({ contract: 'c2', entryPoint: 'increment' }).ok).toBe(true);
    expect(decU64(ch.callView('c2', 'getCounter').bytes('counter'))).toBe(6n);
  });

  it('setChainParams: bounded values, nothing written when refused, and maxBatchSize readable by consensus from the state', () => {
    const ch = Solo.newChain();
    const set = (p: Record<string, Uint8Array>) => ch.postRequest({ contract: H.governance, entryPoint: EP.governance.setChainParams, params: p });
    expect(governanceMaxBatchSize(ch.state)).toBe(VM_LIMITS.batchSizeMax);
    expect(set({}).error?.message).toMatch(/give maxBatchSize and\/or gasLimitPerRequest/);
    for (const n of [0, VM_LIMITS.batchSizeMax + 1]) expect(set({ [GOV_P.maxBatchSize]: encU32(n) }).error?.kind).toBe('BadParams');
    // One bad value refuses the whole call: the good one is not written either.
    const r = set({ [GOV_P.maxBatchSize]: encU32(7), [GOV_P.gasLimitPerRequest]: encU64(VM_LIMITS.gasLimitPerRequestMax + 1n) });
    expect(r.error?.message).toMatch(/gasLimitPerRequest must be 100000\.\.100000000/);
    expect(governanceMaxBatchSize(ch.state)).toBe(VM_LIMITS.batchSizeMax);
    expect(set({ [GOV_P.maxBatchSize]: encU32(7) }).ok).toBe(true);
    expect(governanceMaxBatchSize(ch.state)).toBe(7);
    expect(ch.callView(H.governance, EP.governance.getChainParams).bytes(GOV_P.maxBatchSize)).toEqual(encU32(7));
  });
});
