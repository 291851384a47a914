import { describe, expect, it } from 'vitest';
import { AddressKind, COLOR_IOTA, COLOR_MINT, addressFromPublicKey, argsOf, balancesOf, encodeSCPayload, hname, transactionId, utf8, ValidationError, type Address, type Output, type RequestSection, type SCPayload, type ValueTransaction } from './index';
import { parseSCTransaction, SC_RULES, validateSCTransaction } from './sctx';
import { hnameFromHash } from './hname';

const wallet = addressFromPublicKey(AddressKind.Ed25519, Uint8Array.of(1));
const chainA = addressFromPublicKey(AddressKind.BLS, Uint8Array.of(2));
const chainB = addressFromPublicKey(AddressKind.BLS, Uint8Array.of(3));
const other = addressFromPublicKey(AddressKind.Ed25519, Uint8Array.of(4));
const input = (a: Address = wallet) => ({ txId: new Uint8Array(32).fill(9), address: a });

function req(target: Address, over: Partial<RequestSection> = {}): RequestSection {
  return { senderContractHname: 0, targetContractID: { chainId: target, hname: hname('counter') }, entryPoint: hname('inc'), transfer: new Map(), timelock: 0, args: argsOf([['n', utf8('1')]]), ...over };
}
function tx(outputs: Output[], payload: SCPayload | Uint8Array, inputs = [input()]): ValueTransaction {
  return { inputs, outputs, dataPayload: payload instanceof Uint8Array ? payload : encodeSCPayload(payload), signatures: [] };
}
const out = (address: Address, ...bs: [Uint8Array, bigint][]): Output => ({ address, balances: balancesOf(bs) });
function expectRule(f: () => unknown, rule: string) {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).rule).toBe(rule);
    return;
  }
  throw new Error(`expected ${rule}`);
}
const chainColor = new Uint8Array(32).fill(7);
const state = (over: Partial<NonNullable<SCPayload['state']>> = {}) => ({ chainColor, blockIndex: 5, timestamp: 1n, stateHash: new Uint8Array(32), ...over });

describe('SC transaction validity', () => {
  it('a plain data payload is not an SC transaction', () => {
    expect(parseSCTransaction(tx([out(other, [COLOR_IOTA, 1n])], utf8('just data')))).toBeNull();
  });

  it('a wallet request: one request token per request to each target; sender = input address', () => {
    const t = tx([out(chainA, [COLOR_MINT, 2n], [COLOR_IOTA, 5n]), out(chainB, [COLOR_MINT, 1n]), out(wallet, [COLOR_IOTA, 1n])], { requests: [req(chainA, { transfer: balancesOf([[COLOR_IOTA, 5n]]) }), req(chainB), req(chainA, { senderContractHname: 77 })] });
    const sc = parseSCTransaction(t);
    expect(sc?.requests.map((r) => r.id.index)).toEqual([0, 1, 2]);
    expect(sc?.requests.every((r) => r.sender.hname === 0 && r.sender.chainId === wallet)).toBe(true); // hname uninterpreted without a state section
    expect(sc?.senderAddress).toEqual(wallet);
    expect(sc?.freeMintedTokens).toBe(0n);
    expect(sc?.txId).toEqual(transactionId(t));
  });

  it('request tokens must match the number of requests to each target', () => {
    expectRule(() => parseSCTransaction(tx([out(chainA, [COLOR_MINT, 1n])], { requests: [req(chainA), req(chainA)] })), SC_RULES.requestTokens);
    expectRule(() => parseSCTransaction(tx([out(chainA, [COLOR_MINT, 2n])], { requests: [req(chainA)] })), SC_RULES.requestTokens);
    expectRule(() => parseSCTransaction(tx([out(chainA, [COLOR_IOTA, 1n])], { requests: [req(chainA)] })), SC_RULES.requestTokens);
  });

  it('free minted tokens go only to non-target addresses, and are counted', () => {
    const sc = parseSCTransaction(tx([out(chainA, [COLOR_MINT, 1n]), out(other, [COLOR_MINT, 10n])], { requests: [req(chainA)] }));
    expect(sc?.freeMintedTokens).toBe(10n);
  });

  it('request transfers must be covered by the output to the target', () => {
    expectRule(() => parseSCTransaction(tx([out(chainA, [COLOR_MINT, 1n], [COLOR_IOTA, 4n])], { requests: [req(chainA, { transfer: balancesOf([[COLOR_IOTA, 5n]]) })] })), SC_RULES.transferNotCovered);
  });

  it('state section: exactly one output with exactly one chain token; contract senders use (chain address, hname)', () => {
    const ok = parseSCTransaction(tx([out(chainA, [chainColor, 1n], [COLOR_IOTA, 9n]), out(chainB, [COLOR_MINT, 1n])], { state: state(), requests: [req(chainB, { senderContractHname: 42 })] }, [input(chainA)]));
    expect(ok?.chainAddress).toEqual(chainA);
    expect(ok?.requests[0]?.sender).toEqual({ chainId: chainA, hname: 42 });
    expectRule(() => parseSCTransaction(tx([out(chainA, [chainColor, 2n])], { state: state(), requests: [] }, [input(chainA)])), SC_RULES.chainToken);
    expectRule(() => parseSCTransaction(tx([out(chainA, [chainColor, 1n]), out(chainB, [chainColor, 1n])], { state: state(), requests: [] }, [input(chainA)])), SC_RULES.chainToken);
    expectRule(() => parseSCTransaction(tx([out(chainA, [COLOR_IOTA, 1n])], { state: state(), requests: [] }, [input(chainA)])), SC_RULES.chainToken);
    expectRule(() => parseSCTransaction(tx([out(chainA, [COLOR_MINT, 1n])], { state: state({ chainColor: COLOR_MINT }), requests: [] })), SC_RULES.chainColor);
  });

  it('origin: nil chain color, block 0, the minted chain token fixes the chain address and color = tx ID', () => {
    const t = tx([out(chainA, [COLOR_MINT, 2n]), out(wallet, [COLOR_IOTA, 5n])], { state: state({ chainColor: COLOR_IOTA, blockIndex: 0 }), requests: [req(chainA)] });
    const sc = parseSCTransaction(t);
    expect(sc?.isOrigin).toBe(true);
    expect(sc?.chainAddress).toEqual(chainA);
    expect(sc?.chainColor).toEqual(transactionId(t));
    expect(sc?.freeMintedTokens).toBe(0n);
    expectRule(() => parseSCTransaction(tx([out(chainA, [COLOR_MINT, 1n])], { state: state({ chainColor: COLOR_IOTA, blockIndex: 3 }), requests: [] })), SC_RULES.originBlockIndex);
    expectRule(() => parseSCTransaction(tx([out(chainA, [COLOR_MINT, 1n]), out(chainB, [COLOR_MINT, 1n])], { state: state({ chainColor: COLOR_IOTA, blockIndex: 0 }), requests: [] })), SC_RULES.chainToken);
  });

  it('sender must be a single input address; empty payloads and bad args are refused', () => {
    expectRule(() => parseSCTransaction(tx([out(chainA, [COLOR_MINT, 1n])], { requests: [req(chainA)] }, [input(), input(other)])), SC_RULES.senderAmbiguous);
    const empty = Uint8Array.of(...utf8('ISCP'), 1, 0, 0, 0, 0, 0);
    expectRule(() => parseSCTransaction(tx([out(chainA, [COLOR_IOTA, 1n])], empty)), SC_RULES.payloadEmpty);
    expectRule(() => parseSCTransaction(tx([out(chainA, [COLOR_IOTA, 1n])], Uint8Array.of(...utf8('ISCP'), 9))), SC_RULES.payloadMalformed);
    const dupArgs: RequestSection = { ...req(chainA), args: [[utf8('k'), utf8('1')], [utf8('k'), utf8('2')]] };
    expectRule(() => validateSCTransaction(tx([out(chainA, [COLOR_MINT, 1n])], new Uint8Array()), { requests: [dupArgs] }), SC_RULES.argsKey);
    const emptyKey: RequestSection = { ...req(chainA), args: [[new Uint8Array(), utf8('1')]] };
    expectRule(() => validateSCTransaction(tx([out(chainA, [COLOR_MINT, 1n])], new Uint8Array()), { requests: [emptyKey] }), SC_RULES.argsKey);
  });
});

describe('hname reserved values', () => {
  const hash = (first: number[], next: number[]) => Uint8Array.from([...first, ...next, ...new Array(24).fill(0x11)]);
  it('a hash starting with 00000000 or ffffffff takes the next 4 bytes', () => {
    expect(hnameFromHash(hash([0, 0, 0, 0], [1, 2, 3, 4]))).toBe(0x04030201);
    expect(hnameFromHash(hash([0xff, 0xff, 0xff, 0xff], [5, 0, 0, 0]))).toBe(5);
    expect(hnameFromHash(hash([0xff, 0xff, 0xff, 0xff], [0, 0, 0, 0]))).toBe(0x11111111);
    expect(hnameFromHash(hash([1, 0, 0, 0], [0, 0, 0, 0]))).toBe(1);
  });
  it('a hash with every window reserved has no hname', () => {
    expect(() => hnameFromHash(new Uint8Array(32))).toThrow(/no valid hname/);
    expect(() => hnameFromHash(new Uint8Array(32).fill(0xff))).toThrow(/no valid hname/);
  });
});
