import { describe, expect, it } from 'vitest';
import { AddressKind, DecodeError } from '../protocol';
import { decodeSetupMsg, encodeSetupMsg, sessionAddress, type SetupMsg } from './setup-wire';

// Moved from src/worker/worker.test.ts when the worker's own chain-setup codec was replaced by this one.
describe('chain setup messages (dkg channel)', () => {
  it('every message kind round-trips; junk is a DecodeError', () => {
    const msgs: SetupMsg[] = [
      { type: 'invite', requestId: new Uint8Array(32).fill(1), t: 2, members: [new Uint8Array(32).fill(4), new Uint8Array(32).fill(5), new Uint8Array(32).fill(6)], phaseTimeoutMs: 3_000, description: 'd' },
      { type: 'dkg', bytes: Uint8Array.of(1, 2) },
      { type: 'done', masterPublicKey: new Uint8Array(96).fill(6), qual: [0, 2] },
      { type: 'failed', reason: 'no deal from 1' },
      { type: 'activate', chainAddress: { kind: AddressKind.BLS, digest: new Uint8Array(32).fill(7) }, chainColor: new Uint8Array(32).fill(8) },
      { type: 'activated', chainAddress: { kind: AddressKind.BLS, digest: new Uint8Array(32).fill(7) } },
    ];
    for (const m of msgs) expect(decodeSetupMsg(encodeSetupMsg(m))).toEqual(m);
    expect(() => decodeSetupMsg(Uint8Array.of(99))).toThrow(DecodeError);
    expect(() => decodeSetupMsg(new Uint8Array(0))).toThrow(DecodeError);
    expect(sessionAddress(new Uint8Array(32).fill(3)).kind).toBe(AddressKind.BLS);
  });
});
