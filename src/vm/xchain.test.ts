import { describe, expect, it } from 'vitest';
import { ed25519 } from '@noble/curves/ed25519.js';
import { AddressKind, balancesOf, COLOR_IOTA, hname, utf8, blake2b256, type AgentID } from '../protocol';
import { createRegistry, Dict, encBool, encU64, NativeProcessor, nativeProgramHash, runBatch, CORE_HNAMES as H, CORE_EP as EP, CORE_PARAMS as P, decAgentID } from './index';
import { Solo } from './solo/solo';

const other = { kind: AddressKind.BLS, digest: new Uint8Array(32).fill(42) };

describe('cross-chain requests and sandbox utilities', () => {
  it('postRequest debits the contract and becomes an outgoing request section', () => {
    const registry = createRegistry();
    registry.registerNative(
      new NativeProcessor('sender', {
        send: { fn: (ctx) => ctx.postRequest({ chainId: other, hname: hname('counter') }, hname('increment'), Dict.of({ n: encU64(2n) }), balancesOf([[COLOR_IOTA, 10n]]), 0) },
        verify: {
          view: true,
          fn: (ctx) => new Dict().set('ok', encBool(ctx.utils.ed25519Verify(ctx.params.bytes('pk'), ctx.params.bytes('m'), ctx.params.bytes('s')))).set('b58', utf8(ctx.utils.base58Encode(Uint8Array.of(0, 1, 2)))),
        },
      }),
    );
    const ch = Solo.newChain({ registry });
    expect(ch.deployProgram('sender', nativeProgramHash('sender')).ok).toBe(true);
    const r = ch.postRequest({ contract: 'sender', entryPoint: 'send', transfer: 30n });
    expect(r.ok).toBe(true);
    const out = ch.lastResults.at(-1)!.outgoingRequests;
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ senderContractHname: hname('sender'), entryPoint: hname('increment'), timelock: 0 });
    expect(out[0]!.transfer.get('00'.repeat(32))).toBe(10n);
    // 30 in − 10 transferred − 1 recoloured into the request token (docs/decisions/vm-request-semantics.md)
    expect(ch.iotas(ch.contractAgent('sender'))).toBe(19n);
    expect(ch.outbox).toHaveLength(1);
    ch.checkInvariant();

    const sk = blake2b256(utf8('key'));
    const pk = ed25519.getPublicKey(sk);
    const sig = ed25519.sign(utf8('msg'), sk);
    const v = ch.callView('sender', 'verify', { pk, m: utf8('msg'), s: sig });
    expect(v.bytes('ok')).toEqual(Uint8Array.of(1));
    expect(ch.callView('sender', 'verify', { pk, m: utf8('msh'), s: sig }).bytes('ok')).toEqual(Uint8Array.of(0));
    expect(new TextDecoder().decode(v.bytes('b58'))).toBe('15T') // leading zero byte → '1', then 0x0102 = 258 = 4·58 + 26;
  });

  it('withdrawToChain sends a foreign contract its funds home as a deposit request', () => {
    const ch = Solo.newChain();
    const foreign: AgentID = { chainId: other, hname: hname('vault') };
    const mk = (i: number, ep: string, iotas: bigint) => ({
      id: { txId: blake2b256(utf8(`x${i}`)), index: 0 },
      sender: foreign,
      section: { senderContractHname: foreign.hname, targetContractID: { chainId: ch.chainId, hname: H.accounts }, entryPoint: hname(ep), transfer: balancesOf([[COLOR_IOTA, iotas]]), timelock: 0, args: [] },
    });
    const res = runBatch({
      chainId: ch.chainId, chainColor: ch.chainColor, state: ch.state, timestamp: ch.clock + 1n, entropy: new Uint8Array(32), chainBalances: ch.chainBalances,
      requests: [mk(1, EP.accounts.deposit, 50n), mk(2, EP.accounts.withdrawToChain, 5n)],
    });
    expect(res.receipts.map((r) => r.ok)).toEqual([true, true]);
    expect(res.outgoingRequests).toHaveLength(1);
    const o = res.outgoingRequests[0]!;
    expect(o.targetContractID).toEqual({ chainId: other, hname: H.accounts });
    expect(o.entryPoint).toBe(hname(EP.accounts.deposit));
    // 55 in the account, 1 of them pays the request token of the deposit request home
    expect(o.transfer.get('00'.repeat(32))).toBe(54n);
    expect(decAgentID(Dict.fromArgs(o.args).bytes(P.agentID))).toEqual(foreign);
    // an address may not use withdrawToChain
    expect(ch.postRequest({ contract: H.accounts, entryPoint: EP.accounts.withdrawToChain }).error?.kind).toBe('Unauthorized');
  });
});
