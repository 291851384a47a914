import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from './bytes';
import { DecodeError } from './errors';

describe('fromHex', () => {
  it('round-trips with toHex, either case', () => {
    expect(fromHex('00ff7fA0')).toEqual(Uint8Array.of(0, 255, 127, 160));
    expect(toHex(fromHex('deadBEEF'))).toBe('deadbeef');
    expect(fromHex('')).toEqual(new Uint8Array(0));
  });

  it('throws the typed DecodeError, pointing at the problem', () => {
    const bad = (s: string): DecodeError => {
      try {
        fromHex(s);
      } catch (e) {
        if (e instanceof DecodeError) return e;
        throw e;
      }
      throw new Error(`fromHex('${s}') did not throw`);
    };
    expect(bad('abc').offset).toBe(3);
    expect(bad('abc').message).toMatch(/odd length 3/);
    expect(bad('00zz').offset).toBe(2);
    expect(bad('0x00').offset).toBe(1);
    expect(bad(' 00').offset).toBe(0);
    expect(bad('00\u00e9').message).toMatch(/character "é"/);
  });
});
