import { describe, expect, it } from 'vitest';
import { decodeParams, renderValue } from './params';
import { chooseNodeName } from './node-name';
import { decodeSetupMsg, encodeSetupMsg, type SetupMsg } from './chain-setup';
import { AddressKind } from '../protocol/ids';

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

describe('chain setup messages', () => {
  it('round-trip', () => {
    const sid = new Uint8Array(32).fill(3);
    const msgs: SetupMsg[] = [
      { type: 'invite', requestId: new Uint8Array(32).fill(1), t: 3, members: [new Uint8Array(32).fill(4), new Uint8Array(32).fill(5)], description: 'd' },
      { type: 'dkg', sessionId: sid, bytes: Uint8Array.of(1, 2) },
      { type: 'done', sessionId: sid, masterPublicKey: new Uint8Array(96).fill(6) },
      { type: 'activate', sessionId: sid, chainAddress: { kind: AddressKind.BLS, digest: new Uint8Array(32).fill(7) }, chainColor: new Uint8Array(32).fill(8) },
    ];
    for (const m of msgs) expect(decodeSetupMsg(encodeSetupMsg(m))).toEqual(m);
    expect(() => decodeSetupMsg(Uint8Array.of(99))).toThrow();
  });
});
