import { describe, expect, it } from 'vitest';
import { assert, InvariantError } from './assert';

describe('assert', () => {
  it('passes a true condition and names the broken invariant otherwise', () => {
    expect(() => assert(1, 'one')).not.toThrow();
    expect(() => assert(undefined, 'the round has a context')).toThrow(InvariantError);
    expect(() => assert(null, 'the round has a context')).toThrow(/the round has a context/);
  });
});
