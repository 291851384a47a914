import { describe, expect, it } from 'vitest';
import { decodeParams, renderValue } from './params';
import { chooseNodeName } from './node-name';
import { WalletBalance } from './wallet-balance';
import { dkgViewOf, isSettled } from './deployment-view';
import type { DeploymentView } from '../node/setup';
import { AddressKind, COLOR_IOTA, colorKey, transactionId, type ValueTransaction } from '../protocol';

class MemStorage {
  private m = new Map<string, string>();
  get length() {
    return this.m.size;
  }
  clear() {
    this.m.clear();
  }
  getItem(k: string) {
    return this.m.get(k) ?? null;
  }
  key() {
    return null;
  }
  removeItem(k: string) {
    this.m.delete(k);
  }
  setItem(k: string, v: string) {
    this.m.set(k, v);
  }
}

describe('dashboard parameters', () => {
  it('encodes typed and bare values, and says what is wrong', () => {
    const p = decodeParams({ n: '5', s: 'str:abc', h: 'hex:00ff', i: 'i64:-1', t: 'hello' });
    expect(renderValue(p.n as Uint8Array)).toBe('5');
    expect(p.s).toEqual(new TextEncoder().encode('abc'));
    expect(p.h).toEqual(Uint8Array.of(0, 255));
    expect((p.i as Uint8Array).length).toBe(8);
    expect(renderValue(p.t as Uint8Array)).toBe('hello');
    expect(() => decodeParams({ n: 'u64:-1' })).toThrow(/whole number/);
    expect(() => decodeParams({ n: 'hex:zz' })).toThrow(/not hex/);
    const u = decodeParams({ b: 'u32:10', h: 'hname:root' });
    expect(u.b).toEqual(Uint8Array.of(10, 0, 0, 0));
    expect(u.h).toEqual(Uint8Array.of(0x08, 0x59, 0xbf, 0xce)); // root = cebf5908, little-endian
    expect(() => decodeParams({ n: 'u32:4294967296' })).toThrow(/2\^32/);
    expect(() => decodeParams({ n: 'hname:' })).toThrow(/needs a name/);
    expect(renderValue(Uint8Array.of(1, 2))).toBe('0x0102');
  });
});

describe('node name', () => {
  it('URL wins, then the session, then a fresh one; remembered for reloads', () => {
    const s = new MemStorage();
    expect(chooseNodeName('?node=alice', s, () => 'r')).toBe('alice');
    expect(chooseNodeName('', s, () => 'r')).toBe('alice');
    expect(chooseNodeName('', new MemStorage(), () => 'abc')).toBe('node-abc');
    expect(() => chooseNodeName('?node=../x', s, () => 'r')).toThrow(/not allowed/);
  });
});

describe('wallet balance (dashboard view beside the node wallet)', () => {
  const me = { kind: AddressKind.Ed25519, digest: new Uint8Array(32).fill(1) } as const;
  const other = { kind: AddressKind.Ed25519, digest: new Uint8Array(32).fill(2) } as const;
  const out = (iotas: bigint, fill: number) => ({ txId: new Uint8Array(32).fill(fill), balances: new Map([[colorKey(COLOR_IOTA), iotas]]) });
  const tx: ValueTransaction = { inputs: [], outputs: [{ address: me, balances: new Map([[colorKey(COLOR_IOTA), 7n]]) }], dataPayload: new Uint8Array(0), signatures: [] };

  it('sums the iotas of its own address only, and asks for the inclusion state of the tx that paid it', () => {
    const w = new WalletBalance(me);
    expect(w.iotas()).toBe(0n);
    expect(w.onL1({ kind: 'waspFromNodeAddressOutputs', address: me, outputs: [out(5n, 3), out(7n, 4)] })).toBeUndefined();
    expect(w.iotas()).toBe(12n);
    expect(w.onL1({ kind: 'waspFromNodeAddressOutputs', address: other, outputs: [out(100n, 5)] })).toBeUndefined();
    expect(w.iotas()).toBe(12n);
    const nudge = w.onL1({ kind: 'waspFromNodeAddressUpdate', address: me, outputs: [out(7n, 6)], tx });
    expect(nudge).toEqual({ kind: 'waspToNodeGetTxInclusionLevel', txId: transactionId(tx), address: me });
    expect(w.iotas()).toBe(7n);
    expect(w.onL1({ kind: 'waspFromNodeAddressUpdate', address: other, outputs: [], tx })).toBeUndefined();
    expect(w.onL1({ kind: 'waspFromNodeTransactionInclusionState', txId: transactionId(tx), address: me, state: 'confirmed', reason: '' })).toBeUndefined();
  });
});

describe('deployment view (node chain setup → dashboard line)', () => {
  const base: DeploymentView = {
    sessionId: 'ab'.repeat(32), initiator: 'cd'.repeat(32), isInitiator: false, members: ['a', 'b', 'c', 'd'], t: 3, myIndex: 1, phase: 'response',
    dealt: [0, 1, 2], responded: [1], justified: [], confirmed: [], complaints: [{ by: 1, against: 3, missing: true }], qual: null, excluded: [], reported: [], activated: [], chainAddress: null, error: null,
  };
  it('shows DKG counts, role and progress; settles only at the end', () => {
    const v = dkgViewOf(base);
    expect(v).toMatchObject({ id: 'abababababab', phase: 'response', role: 'member', complaints: 1, qual: undefined, error: undefined });
    expect(v.stage).toContain('3/4 dealt');
    expect(isSettled(base)).toBe(false);
    const done = dkgViewOf({ ...base, isInitiator: true, phase: 'deployed', qual: [0, 1, 2, 3] });
    expect(done).toMatchObject({ progress: 1, stage: 'activated', role: 'initiator', qual: [0, 1, 2, 3] });
    expect(isSettled({ ...base, phase: 'activated' })).toBe(true);
    expect(dkgViewOf({ ...base, phase: 'failed', error: 'no quorum' })).toMatchObject({ error: 'no quorum', progress: 0 });
    // Progress only grows along the phases.
    const order: DeploymentView['phase'][] = ['idle', 'deal', 'response', 'justification', 'confirmation', 'done', 'postingOrigin', 'activating', 'initializing', 'deployed'];
    const p = order.map((phase) => dkgViewOf({ ...base, phase }).progress);
    expect([...p].sort((a, b) => a - b)).toEqual(p);
  });
});
