import { describe, expect, it } from 'vitest';
import { AddressKind, COLOR_IOTA, COLOR_MINT, addressFromPublicKey, argsOf, balancesOf, decodeSCPayload, decodeTransaction, encodeSCPayload, encodeTransaction, hname, hnameToString, requestIDFromString, requestIDToString, transactionId, utf8 } from './index';

const addr = (seed: number) => addressFromPublicKey(AddressKind.Ed25519, Uint8Array.of(seed));

describe('protocol core smoke', () => {
  it('hname is 8 lowercase hex digits and never reserved', () => {
    for (const n of ['root', 'accounts', 'blob', 'eventlog', 'init', 'incCounter']) {
      const h = hname(n);
      expect(h).not.toBe(0);
      expect(h).not.toBe(0xffffffff);
      expect(hnameToString(h)).toMatch(/^[0-9a-f]{8}$/);
    }
  });

  it('transaction essence is independent of element order', () => {
    const a = { address: addr(1), balances: balancesOf([[COLOR_IOTA, 5n]]) };
    const b = { address: addr(2), balances: balancesOf([[COLOR_MINT, 1n], [COLOR_IOTA, 2n]]) };
    const inputs = [{ txId: new Uint8Array(32).fill(1), address: addr(3) }, { txId: new Uint8Array(32).fill(2), address: addr(3) }];
    const tx1 = { inputs, outputs: [a, b], dataPayload: new Uint8Array(), signatures: [] };
    const tx2 = { inputs: [...inputs].reverse(), outputs: [b, a], dataPayload: new Uint8Array(), signatures: [] };
    expect(transactionId(tx1)).toEqual(transactionId(tx2));
    const back = decodeTransaction(encodeTransaction(tx2));
    expect(transactionId(back)).toEqual(transactionId(tx1));
  });

  it('SC payload round-trips and request IDs print as [i]base58', () => {
    const p = {
      requests: [{
        senderContractHname: 0,
        targetContractID: { chainId: addr(9), hname: hname('counter') },
        entryPoint: hname('increment'),
        transfer: balancesOf([[COLOR_IOTA, 1n]]),
        timelock: 0,
        args: argsOf([['n', utf8('1')]]),
      }],
    };
    expect(decodeSCPayload(encodeSCPayload(p))).toEqual(p);
    const id = { txId: new Uint8Array(32).fill(7), index: 3 };
    expect(requestIDFromString(requestIDToString(id))).toEqual(id);
    expect(requestIDToString(id)).toMatch(/^\[3\][1-9A-Za-z]+$/);
  });
});
