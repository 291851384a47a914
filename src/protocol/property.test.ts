import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  AddressKind, COLOR_SIZE, DecodeError, addressFromString, addressToString, agentIDBytes, agentIDFromBytes, balancesOf, colorFromString, colorToString,
  decodeAll, decodeSCPayload, decodeTransaction, encodeSCPayload, encodeTransaction, hnameFromString, hnameToString, readBalances, requestIDFromString,
  requestIDToString, transactionId, txIdFromString, txIdToString, writeBalances, Writer, argsOf,
  type Address, type Output, type RequestSection, type SCPayload, type ValueTransaction,
} from './index';

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const address: fc.Arbitrary<Address> = fc.record({ kind: fc.constantFrom(AddressKind.Ed25519, AddressKind.BLS), digest: bytes(32) });
const amount = fc.bigInt({ min: 1n, max: 0xffffffffffffffffn });
const balances = fc.array(fc.tuple(bytes(COLOR_SIZE), amount), { maxLength: 4 }).map((es) => {
  const m = new Map<string, bigint>();
  for (const [c, v] of es) m.set(Array.from(c, (x) => x.toString(16).padStart(2, '0')).join(''), v);
  return m as ReadonlyMap<string, bigint>;
});
const nonEmptyBalances = balances.filter((b) => b.size > 0);
const uniqueBy = <T>(arb: fc.Arbitrary<T>, key: (t: T) => string, max: number, min = 0) => fc.uniqueArray(arb, { selector: key, minLength: min, maxLength: max });
const addrKey = (a: Address) => `${a.kind}:${a.digest.join(',')}`;
const signature = fc.oneof(
  fc.record({ kind: fc.constant(AddressKind.Ed25519 as const), publicKey: bytes(32), signature: bytes(64) }),
  fc.record({ kind: fc.constant(AddressKind.BLS as const), publicKey: bytes(96), signature: bytes(48) }),
);
const transaction: fc.Arbitrary<ValueTransaction> = fc.record({
  inputs: uniqueBy(fc.record({ txId: bytes(32), address }), (i) => `${i.txId.join(',')}/${addrKey(i.address)}`, 4, 1),
  outputs: uniqueBy(fc.record({ address, balances: nonEmptyBalances }) as fc.Arbitrary<Output>, (o) => addrKey(o.address), 4, 1),
  dataPayload: fc.uint8Array({ maxLength: 64 }),
  signatures: uniqueBy(signature, (s) => `${s.kind}:${s.publicKey.join(',')}`, 3),
});
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const request: fc.Arbitrary<RequestSection> = fc.record({
  senderContractHname: u32,
  targetContractID: fc.record({ chainId: address, hname: u32 }),
  entryPoint: u32,
  transfer: balances,
  timelock: u32,
  args: uniqueBy(fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.uint8Array({ maxLength: 16 })), (kv) => kv[0].join(','), 4).map((kvs) => argsOf(kvs)),
});
const payload: fc.Arbitrary<SCPayload> = fc
  .record({
    state: fc.option(fc.record({ chainColor: bytes(32), blockIndex: u32, timestamp: fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), stateHash: bytes(32) }), { nil: undefined }),
    requests: fc.array(request, { maxLength: 3 }),
  })
  .filter((p) => p.state !== undefined || p.requests.length > 0)
  .map((p) => (p.state ? { state: p.state, requests: p.requests } : { requests: p.requests }));

function onlyDecodeError(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
  }
}
function decodeBalances(b: Uint8Array) {
  return decodeAll(b, 'balances', (r) => readBalances(r));
}
const decoders: [string, (b: Uint8Array) => unknown][] = [
  ['transaction', decodeTransaction],
  ['SC payload', decodeSCPayload],
  ['agent ID', agentIDFromBytes],
  ['balances', decodeBalances],
];

describe('round trips', () => {
  it('value transactions: decode(encode(tx)) has the same ID and bytes', () => {
    fc.assert(fc.property(transaction, (tx) => {
      const b = encodeTransaction(tx);
      const back = decodeTransaction(b);
      expect(encodeTransaction(back)).toEqual(b);
      expect(transactionId(back)).toEqual(transactionId(tx));
    }), { numRuns: 200 });
  });
  it('SC payloads', () => {
    fc.assert(fc.property(payload, (p) => {
      expect(decodeSCPayload(encodeSCPayload(p))).toEqual(p);
    }), { numRuns: 200 });
  });
  it('ids and their text forms', () => {
    fc.assert(fc.property(address, bytes(32), fc.integer({ min: 0, max: 0xffff }), u32, (a, id, index, h) => {
      expect(addressFromString(addressToString(a))).toEqual(a);
      expect(txIdFromString(txIdToString(id))).toEqual(id);
      expect(colorFromString(colorToString(id))).toEqual(id);
      expect(requestIDFromString(requestIDToString({ txId: id, index }))).toEqual({ txId: id, index });
      expect(agentIDFromBytes(agentIDBytes({ chainId: a, hname: h }))).toEqual({ chainId: a, hname: h });
      expect(hnameFromString(hnameToString(h))).toBe(h);
    }), { numRuns: 300 });
  });
  it('balances', () => {
    fc.assert(fc.property(balances, (b) => {
      const w = new Writer();
      writeBalances(w, b);
      expect(decodeBalances(w.finish())).toEqual(b);
      expect(balancesOf([...b].map(([k, v]) => [Uint8Array.from(k.match(/../g) ?? [], (x) => parseInt(x, 16)), v] as [Uint8Array, bigint]))).toEqual(b);
    }), { numRuns: 200 });
  });
});

describe('decoders throw only DecodeError', () => {
  it('on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (b) => {
      for (const [, d] of decoders) onlyDecodeError(() => d(b));
      // An SC payload only starts with its magic: also feed random bodies behind it.
      onlyDecodeError(() => decodeSCPayload(Uint8Array.of(0x49, 0x53, 0x43, 0x50, 1, ...b)));
    }), { numRuns: 1000 });
  });
  it('on every truncation and on trailing garbage of valid encodings', () => {
    fc.assert(fc.property(transaction, payload, fc.uint8Array({ minLength: 1, maxLength: 8 }), (tx, p, junk) => {
      for (const [enc, dec] of [[encodeTransaction(tx), decodeTransaction], [encodeSCPayload(p), decodeSCPayload]] as const) {
        for (let n = 0; n < enc.length; n += Math.max(1, Math.floor(enc.length / 40))) {
          const cut = enc.subarray(0, n);
          try {
            dec(cut);
            // The only truncation that may decode is "not an SC payload at all" (shorter than the magic).
            expect(dec === decodeSCPayload && n < 4).toBe(true);
          } catch (e) {
            expect(e).toBeInstanceOf(DecodeError);
          }
        }
        expect(() => dec(Uint8Array.of(...enc, ...junk))).toThrow(DecodeError);
      }
    }), { numRuns: 100 });
  });
  it('on random strings to the text parsers', () => {
    fc.assert(fc.property(fc.string({ maxLength: 60 }), (s) => {
      for (const f of [addressFromString, txIdFromString, colorFromString, requestIDFromString, hnameFromString]) onlyDecodeError(() => f(s));
    }), { numRuns: 1000 });
  });
});
