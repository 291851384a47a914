import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AddressKind, agentIDBytes, requestIDBytes, writeAgentID, writeRequestID, Writer, type AgentID, type RequestID } from './index';

/** agentIDBytes/requestIDBytes build their bytes directly (a fast path): they must equal the Writer's encoding. */
const viaWriter = (write: (w: Writer) => void): Uint8Array => {
  const w = new Writer();
  write(w);
  return w.finish();
};
const equal = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
const thrown = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
  return 'no error';
};

describe('direct ID encodings', () => {
  it('agentIDBytes = writeAgentID', () => {
    const agent: fc.Arbitrary<AgentID> = fc.record({
      chainId: fc.record({ kind: fc.constantFrom(AddressKind.Ed25519, AddressKind.BLS), digest: fc.uint8Array({ minLength: 32, maxLength: 32 }) }),
      hname: fc.oneof(fc.constantFrom(0, 1, 0xff, 0x100, 0x7fffffff, 0x80000000, 0xffffffff), fc.nat({ max: 0xffffffff })),
    });
    fc.assert(fc.property(agent, (a) => equal(agentIDBytes(a), viaWriter((w) => writeAgentID(w, a)))));
  });

  it('requestIDBytes = writeRequestID', () => {
    const req: fc.Arbitrary<RequestID> = fc.record({ txId: fc.uint8Array({ minLength: 32, maxLength: 32 }), index: fc.nat({ max: 0xffff }) });
    fc.assert(fc.property(req, (id) => equal(requestIDBytes(id), viaWriter((w) => writeRequestID(w, id)))));
  });

  it('refuses what the Writer refuses, with the same error', () => {
    const d = new Uint8Array(32);
    const badAgents = [
      { chainId: { kind: 2.5 as AddressKind, digest: d }, hname: 1 },
      { chainId: { kind: AddressKind.BLS, digest: new Uint8Array(31) }, hname: 1 },
      { chainId: { kind: AddressKind.BLS, digest: d }, hname: 2 ** 32 },
      { chainId: { kind: AddressKind.BLS, digest: d }, hname: -1 },
    ];
    for (const a of badAgents) expect(thrown(() => agentIDBytes(a))).toBe(thrown(() => viaWriter((w) => writeAgentID(w, a))));
    const badRequests = [{ txId: new Uint8Array(33), index: 0 }, { txId: d, index: 0x10000 }, { txId: d, index: 1.5 }];
    for (const r of badRequests) expect(thrown(() => requestIDBytes(r))).toBe(thrown(() => viaWriter((w) => writeRequestID(w, r))));
    expect(thrown(() => requestIDBytes(badRequests[1] as RequestID))).toMatch(/RangeError: u16 out of range/);
  });
});
