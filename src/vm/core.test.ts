import { describe, expect, it } from 'vitest';
import { agentIDBytes, balancesOf, COLOR_IOTA, contractNameProblem, hname, utf8, agentIDEquals, decodeAll, readAgentID } from '../protocol';
import { Solo } from './solo/solo';
import { runBatch } from './runner';
import { VirtualState } from '../state/vstate';
import { AddressKind, agentIDFromAddress, blake2b256 } from '../protocol';
import { CORE_HNAMES as H, CORE_EP as EP, CORE_PARAMS as P, Dict, encU64, encHname, decU64, NativeProcessor, nativeProgramHash, createRegistry, isRequestProcessed, readReceipt, VMError, callView } from './index';

describe('core contracts via runBatch', () => {
  it('init gives the chain an owner and the core contracts', () => {
    const ch = Solo.newChain();
    const info = ch.callView(H.root, EP.root.getChainInfo);
    expect(agentIDEquals(decodeAll(info.bytes(P.chainOwner), 'a', readAgentID), ch.owner.agentId)).toBe(true);
    for (const name of ['root', 'accounts', 'blob', 'eventlog', 'blocklog', 'governance']) {
      const rec = ch.callView(H.root, EP.root.findContract, { [P.hname]: encHname(hname(name)) });
      expect(new TextDecoder().decode(rec.bytes(P.name))).toBe(name);
    }
    expect(ch.state.blockIndex).toBe(1);
    // init again fails, recorded, chain goes on
    const again = ch.postRequest({ contract: H.root, entryPoint: EP.init });
    expect(again.ok).toBe(false);
    expect(again.error?.kind).toBe('AlreadyExists');
    expect(ch.state.blockIndex).toBe(2);
  });

  it('deposit, balance, withdrawToAddress keep the accounts invariant', () => {
    const ch = Solo.newChain();
    const alice = ch.newWallet('alice', 1000n);
    const r = ch.postRequest({ contract: H.accounts, entryPoint: EP.accounts.deposit, transfer: 600n, sender: alice });
    expect(r.ok).toBe(true);
    expect(ch.iotas(alice)).toBe(600n);
    expect(ch.l1Iotas(alice)).toBe(400n);
    const bal = ch.callView(H.accounts, EP.accounts.balance, { [P.agentID]: agentIDBytes(alice.agentId) });
    expect(decU64(bal.get(COLOR_IOTA)!)).toBe(600n);
    ch.checkInvariant();
    const w = ch.postRequest({ contract: H.accounts, entryPoint: EP.accounts.withdrawToAddress, sender: alice });
    expect(w.ok).toBe(true);
    expect(ch.iotas(alice)).toBe(0n);
    expect(ch.l1Iotas(alice)).toBe(1000n);
    ch.checkInvariant();
  });

  it('a failed request is rolled back, receipted, and its funds are credited to the sender', () => {
    const ch = Solo.newChain();
    const bob = ch.newWallet('bob', 1000n);
    const r = ch.postRequest({ contract: 'nosuch', entryPoint: 'x', transfer: 100n, sender: bob });
    expect(r.ok).toBe(false);
    expect(r.error?.kind).toBe('NoSuchContract');
    expect(ch.iotas(bob)).toBe(100n);
    const id = ch.lastResults.at(-1)!.receipts[0]!.requestId;
    expect(isRequestProcessed(ch.state, id)).toBe(true);
    expect(readReceipt(ch.state, id)?.error?.kind).toBe('NoSuchContract');
    const ep = ch.postRequest({ contract: H.accounts, entryPoint: 'nosuchEP', transfer: 5n, sender: bob });
    expect(ep.error?.kind).toBe('NoSuchEntryPoint');
    const bp = ch.postRequest({ contract: H.root, entryPoint: EP.root.setContractFee, params: { [P.hname]: new Uint8Array(3) } });
    expect(bp.error?.kind).toBe('BadParams');
    ch.checkInvariant();
  });

  it('storeBlob + deploy a native contract; calls, transfers, events, permissions, fees', () => {
    const registry = createRegistry();
    const bank = new NativeProcessor('bank', {
      init: { fn: (ctx) => ctx.state.set(utf8('owner'), agentIDBytes(ctx.caller())) },
      pay: {
        fn: (ctx) => {
          const to = ctx.params.agentID('to');
          ctx.transferToAgent(to, balancesOf([[COLOR_IOTA, ctx.params.u64('n')]]));
          ctx.event(`paid ${ctx.params.u64('n')}`);
        },
      },
      write: { fn: (ctx) => ctx.state.set(utf8('k'), utf8('v')) },
      writeThenFail: { fn: (ctx) => (ctx.state.set(utf8('k2'), utf8('v')), ctx.event('never'), ctx.panic('boom')) },
      get: { view: true, fn: (ctx) => new Dict().set('v', ctx.state.get(utf8('k')) ?? new Uint8Array()) },
      viewCallsFull: { view: true, fn: (ctx) => ctx.callView(ctx.contract(), hname('write')) },
      recurse: { fn: (ctx) => ctx.call(ctx.contract(), hname('recurse')) },
    });
    registry.registerNative(bank);
    const ch = Solo.newChain({ registry });
    const carol = ch.newWallet('carol', 1000n);
    // carol may not deploy
    const denied = ch.deployProgram('bank', nativeProgramHash('bank'), { sender: carol });
    expect(denied.error?.kind).toBe('Unauthorized');
    expect(ch.postRequest({ contract: H.root, entryPoint: EP.root.grantDeployPermission, params: { [P.deployer]: agentIDBytes(carol.agentId) } }).ok).toBe(true);
    expect(ch.deployProgram('bank', nativeProgramHash('bank'), { sender: carol }).ok).toBe(true);
    expect(ch.deployProgram('bank', nativeProgramHash('bank'), { sender: carol }).error?.kind).toBe('AlreadyExists');

    const pay = ch.postRequest({ contract: 'bank', entryPoint: 'pay', transfer: 300n, sender: carol, params: { to: agentIDBytes(ch.owner.agentId), n: encU64(120n) } });
    expect(pay.ok).toBe(true);
    expect(ch.iotas(ch.contractAgent('bank'))).toBe(180n);
    expect(ch.iotas(ch.owner)).toBe(120n);
    expect(ch.events('bank').map((e) => e.message)).toContain('paid 120');

    const fail = ch.postRequest({ contract: 'bank', entryPoint: 'writeThenFail', transfer: 50n, sender: carol });
    expect(fail.error).toEqual({ kind: 'Panic', message: 'boom' });
    expect(ch.iotas(carol)).toBe(50n);
    expect(ch.events('bank').map((e) => e.message)).not.toContain('never');
    expect(ch.events('bank').at(-1)?.message).toMatch(/failed: Panic: boom/);

    expect(ch.postRequest({ contract: 'bank', entryPoint: 'write' }).ok).toBe(true);
    expect(new TextDecoder().decode(ch.callView('bank', 'get').bytes('v'))).toBe('v');
    expect(() => ch.callView('bank', 'viewCallsFull')).toThrow(/ReadOnly/);
    expect(() => ch.callView('bank', 'write')).toThrow(VMError);
    const deep = ch.postRequest({ contract: 'bank', entryPoint: 'recurse' });
    expect(deep.error?.kind).toBe('CallDepthExceeded');

    // fees: owner fee 10 IOTA on bank
    expect(ch.postRequest({ contract: H.root, entryPoint: EP.root.setContractFee, params: { [P.hname]: encHname(hname('bank')), [P.ownerFee]: encU64(10n) } }).ok).toBe(true);
    const fee = ch.callView(H.root, EP.root.getFeeInfo, { [P.hname]: encHname(hname('bank')) });
    expect(decU64(fee.bytes(P.ownerFee))).toBe(10n);
    const ownerBefore = ch.iotas(ch.owner);
    expect(ch.postRequest({ contract: 'bank', entryPoint: 'write', transfer: 5n, sender: carol }).error?.kind).toBe('InsufficientFunds');
    expect(ch.postRequest({ contract: 'bank', entryPoint: 'write', transfer: 15n, sender: carol }).ok).toBe(true);
    expect(ch.iotas(ch.owner)).toBe(ownerBefore + 10n);
    ch.checkInvariant();
  });

  it('ownership delegation and claim', () => {
    const ch = Solo.newChain();
    const dan = ch.newWallet('dan');
    expect(ch.postRequest({ contract: H.root, entryPoint: EP.root.claimChainOwnership, sender: dan }).error?.kind).toBe('Unauthorized');
    expect(ch.postRequest({ contract: H.root, entryPoint: EP.root.delegateChainOwnership, params: { [P.chainOwner]: agentIDBytes(dan.agentId) } }).ok).toBe(true);
    expect(ch.postRequest({ contract: H.root, entryPoint: EP.root.claimChainOwnership, sender: dan }).ok).toBe(true);
    const info = ch.callView(H.root, EP.root.getChainInfo);
    expect(agentIDEquals(decodeAll(info.bytes(P.chainOwner), 'a', readAgentID), dan.agentId)).toBe(true);
  });

  it('blob views and eventlog views', () => {
    const ch = Solo.newChain();
    const r = ch.postRequest({ contract: H.blob, entryPoint: EP.blob.storeBlob, params: { a: utf8('hello'), b: utf8('xy') } });
    expect(r.ok).toBe(true);
    const list = ch.callView(H.blob, EP.blob.listBlobs);
    expect(list.size).toBe(1);
    const [hash] = list.entries()[0]!;
    const info = ch.callView(H.blob, EP.blob.getBlobInfo, { [P.blobHash]: hash });
    expect(info.entries().map(([k]) => new TextDecoder().decode(k))).toEqual(['a', 'b']);
    expect(ch.callView(H.blob, EP.blob.getBlobField, { [P.blobHash]: hash, [P.blobField]: utf8('a') }).bytes('bytes')).toEqual(utf8('hello'));
    const n = ch.callView(H.eventlog, EP.eventlog.getNumRecords, { [P.contractHname]: encHname(H.blob) });
    expect(decU64(n.bytes(P.numRecords))).toBe(1n);
    const recs = ch.callView(H.eventlog, EP.eventlog.getRecords, { [P.contractHname]: encHname(H.blob) });
    expect(recs.size).toBe(1);
    expect(() => callView(ch.state, ch.chainId, H.blob, hname(EP.blob.getBlobInfo), Dict.of({ [P.blobHash]: new Uint8Array(5) }))).toThrow(/BadParams/);
  });
});

describe('root init is accepted only from the origin transaction signer', () => {
  it('refuses an init from another address with Unauthorized and records the originator', () => {
    const addr = (s: string) => ({ kind: AddressKind.Ed25519, digest: blake2b256(utf8(s)) });
    const chainId = { kind: AddressKind.BLS, digest: blake2b256(utf8('chain')) };
    const init = (who: string, i: number) => ({
      id: { txId: blake2b256(utf8(`init${i}`)), index: 0 },
      sender: agentIDFromAddress(addr(who)),
      section: { senderContractHname: 0, targetContractID: { chainId, hname: H.root }, entryPoint: hname(EP.init), transfer: new Map(), timelock: 0, args: [] },
    });
    const origin = VirtualState.origin();
    const base = { chainId, chainColor: new Uint8Array(32).fill(1), state: origin, timestamp: 10n, entropy: new Uint8Array(32), chainBalances: new Map(), chainOriginator: addr('owner') };
    const bad = runBatch({ ...base, requests: [init('mallory', 1)] });
    expect(bad.receipts[0]?.error?.kind).toBe('Unauthorized');
    const after = bad.newState();
    // the next batch (no originator given any more: the state has it) still refuses mallory and accepts the owner
    const again = runBatch({ ...base, chainOriginator: undefined, state: after, timestamp: 20n, requests: [init('mallory', 2), init('owner', 3)] });
    expect(again.receipts.map((r) => r.ok)).toEqual([false, true]);
    expect(readReceipt(again.newState(), init('owner', 3).id)?.ok).toBe(true);
  });
});

describe('contract names: one rule for root, the dashboard and the CLI', () => {
  it('root accepts hyphenated names and refuses what the rule refuses, with the rule in the error', () => {
    const registry = createRegistry();
    for (const name of ['escrow-auction', 'bank_2', 'x', 'bad name', '1counter', 'a'.repeat(65), '']) registry.registerNative(new NativeProcessor(name || 'empty', {}));
    const ch = Solo.newChain({ registry });
    expect(ch.deployProgram('escrow-auction', nativeProgramHash('escrow-auction')).ok).toBe(true);
    expect(ch.deployProgram('bank_2', nativeProgramHash('bank_2')).ok).toBe(true);
    for (const name of ['bad name', '1counter', 'a'.repeat(65)]) {
      const r = ch.deployProgram(name, nativeProgramHash(name));
      expect(r.error?.kind, name).toBe('BadParams');
      expect(r.error?.message, name).toBe(contractNameProblem(name));
    }
  });

  it('the rule itself', () => {
    expect(contractNameProblem('escrow-auction')).toBeNull();
    expect(contractNameProblem('A'.repeat(64))).toBeNull();
    expect(contractNameProblem('A'.repeat(65))).toMatch(/1–64 letters, digits, _ or -, starting with a letter/);
    expect(contractNameProblem('-x')).not.toBeNull();
    expect(contractNameProblem('a.b')).not.toBeNull();
    expect(contractNameProblem('')).not.toBeNull();
  });
});
