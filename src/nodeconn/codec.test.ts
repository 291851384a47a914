import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AddressKind, COLOR_IOTA, COLOR_MINT, addressFromPublicKey, balancesOf, DecodeError } from '../protocol/index';
import { decodeNodeConnMessage, decodeWaspFromNode, decodeWaspToNode, encodeNodeConnMessage } from './codec';
import type { NodeConnMessage } from './messages';

const addr = (n: number) => addressFromPublicKey(n % 2 ? AddressKind.BLS : AddressKind.Ed25519, Uint8Array.of(n));
const txId = (n: number) => new Uint8Array(32).fill(n);
const tx = {
  inputs: [{ txId: txId(1), address: addr(1) }],
  outputs: [{ address: addr(2), balances: balancesOf([[COLOR_IOTA, 10n], [COLOR_MINT, 1n]]) }],
  dataPayload: Uint8Array.of(1, 2, 3),
  signatures: [{ kind: AddressKind.Ed25519 as const, publicKey: new Uint8Array(32).fill(3), signature: new Uint8Array(64).fill(4) }],
};
const outputs = [
  { txId: txId(5), balances: balancesOf([[COLOR_IOTA, 1n]]) },
  { txId: txId(6), balances: balancesOf([[txId(9), 2n]]) },
];

const SAMPLE_MESSAGES: NodeConnMessage[] = [
  { kind: 'waspToNodeTransaction', tx },
  { kind: 'waspToNodeSubscribe', address: addr(3) },
  { kind: 'waspToNodeGetConfirmedTransaction', txId: txId(7) },
  { kind: 'waspToNodeGetTxInclusionLevel', txId: txId(7), address: addr(4) },
  { kind: 'waspToNodeGetOutputs', address: addr(5) },
  { kind: 'waspToNodeSetId', id: 'tab-1 ✓' },
  { kind: 'waspToNodeRequestFunds', address: addr(6) },
  { kind: 'waspFromNodeConfirmedTransaction', tx },
  { kind: 'waspFromNodeAddressUpdate', address: addr(7), outputs, tx },
  { kind: 'waspFromNodeAddressOutputs', address: addr(8), outputs: [] },
  { kind: 'waspFromNodeAddressOutputs', address: addr(8), outputs },
  { kind: 'waspFromNodeTransactionInclusionState', txId: txId(8), address: addr(9), state: 'rejected', reason: 'double spend' },
  { kind: 'waspFromNodeTransactionInclusionState', txId: txId(8), address: addr(9), state: 'confirmed', reason: '' },
];

describe('nodeconn codec', () => {
  it('round-trips every message type', () => {
    for (const m of SAMPLE_MESSAGES) expect(decodeNodeConnMessage(encodeNodeConnMessage(m))).toEqual(m);
  });

  it('directional decoders refuse the other direction', () => {
    expect(() => decodeWaspToNode(encodeNodeConnMessage(SAMPLE_MESSAGES[8] as NodeConnMessage))).toThrow(DecodeError);
    expect(() => decodeWaspFromNode(encodeNodeConnMessage(SAMPLE_MESSAGES[1] as NodeConnMessage))).toThrow(DecodeError);
  });

  it('outputs are canonical: unsorted output lists are refused', () => {
    const b = encodeNodeConnMessage({ kind: 'waspFromNodeAddressOutputs', address: addr(1), outputs });
    // swap the two outputs' tx IDs in place (both have one-color balances of equal length)
    const first = 1 + 33 + 4;
    const second = first + 32 + 4 + 40;
    const swapped = b.slice();
    swapped.set(b.subarray(second, second + 32), first);
    swapped.set(b.subarray(first, first + 32), second);
    expect(() => decodeNodeConnMessage(swapped)).toThrow(/strictly increasing/);
  });

  it('truncations, trailing bytes and random bytes throw only DecodeError', () => {
    for (const m of SAMPLE_MESSAGES) {
      const b = encodeNodeConnMessage(m);
      for (let n = 0; n < b.length; n++) expect(() => decodeNodeConnMessage(b.subarray(0, n))).toThrow(DecodeError);
      expect(() => decodeNodeConnMessage(Uint8Array.of(...b, 0))).toThrow(DecodeError);
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          decodeNodeConnMessage(bytes);
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
        }
      }),
      { numRuns: 2000 },
    );
  });
});
