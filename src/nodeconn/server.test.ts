import { describe, expect, it } from 'vitest';
import { DecodeError, balancesOf, encodeTransaction, toHex, transactionId, type ValueTransaction } from '../protocol/index';
import { Faucet, faucetGenesis, faucetKeyPair, HUB_FAUCET_LIMITS } from '../ledger/faucet';
import { signTransaction } from '../crypto/ed25519';
import { GENESIS_TX_ID } from '../ledger/ledger';
import { LEDGER_RULES } from '../ledger/validate';
import { iotas, testLedger, transfer, wallets } from '../ledger/testkit';
import { decodeWaspToNode, encodeNodeConnMessage, MalformedTransactionError } from './codec';
import { NO_ADDRESS, NodeConnServer } from './server';
import type { WaspFromNode } from './messages';

const [alice, bob] = wallets(2, 7) as [ReturnType<typeof wallets>[number], ReturnType<typeof wallets>[number]];

function setup() {
  const ledger = testLedger([{ address: alice.address, iotas: 1000n }], { confirmDelayMs: 10 });
  const log: string[] = [];
  const server = new NodeConnServer(ledger, undefined, (l) => log.push(l));
  return { ledger, server, session: server.openSession(), log };
}
const inclusion = (ms: WaspFromNode[]) => {
  expect(ms.length).toBe(1);
  const m = ms[0] as WaspFromNode;
  if (m.kind !== 'waspFromNodeTransactionInclusionState') throw new Error(`not an inclusion state: ${m.kind}`);
  return m;
};

/** A signed transaction with zero outputs: encodable, refused by the ledger (and now by the decoder). */
const zeroOutputs = (): ValueTransaction => signTransaction({ inputs: [{ txId: GENESIS_TX_ID, address: alice.address }], outputs: [], dataPayload: new Uint8Array() }, [alice]);
/** 3,000 inputs: encodes to ~210 KB (under the byte limit), far over LIMITS.inputsMax. */
const manyInputs = (): ValueTransaction =>
  signTransaction(
    {
      inputs: Array.from({ length: 3000 }, (_, i) => ({ txId: new Uint8Array(32).fill(1).map((v, j) => (j < 2 ? (i >> (8 * j)) & 0xff : v)), address: alice.address })),
      outputs: [{ address: bob.address, balances: iotas(1n) }],
      dataPayload: new Uint8Array(),
    },
    [alice],
  );

describe('nodeconn server: malformed transactions', () => {
  it('a transaction with zero outputs is answered rejected (it used to crash the hub on tx.outputs[0].address)', () => {
    const { server, session } = setup();
    const tx = zeroOutputs();
    const m = inclusion(server.handle(session, { kind: 'waspToNodeTransaction', tx }, 0));
    expect(m.state).toBe('rejected');
    expect(m.reason).toMatch(/at least one output/);
    expect(m.txId).toEqual(transactionId(tx));
    expect(m.address).toEqual(NO_ADDRESS);
  });

  it('the decoder refuses zero outputs, zero inputs, an empty output and 3,000 inputs with MalformedTransactionError carrying the sender-side tx ID', () => {
    const noInputs: ValueTransaction = { inputs: [], outputs: [{ address: bob.address, balances: iotas(1n) }], dataPayload: new Uint8Array(), signatures: [] };
    const emptyOutput: ValueTransaction = { inputs: [{ txId: GENESIS_TX_ID, address: alice.address }], outputs: [{ address: bob.address, balances: balancesOf([]) }], dataPayload: new Uint8Array(), signatures: [] };
    const cases: [ValueTransaction, RegExp][] = [
      [zeroOutputs(), /no outputs/],
      [noInputs, /no inputs/],
      [emptyOutput, /empty output/],
      [manyInputs(), /too many inputs: 3000 > 256/],
    ];
    for (const [tx, why] of cases) {
      const frame = encodeNodeConnMessage({ kind: 'waspToNodeTransaction', tx });
      let err: unknown;
      try {
        decodeWaspToNode(frame);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(MalformedTransactionError);
      expect(err).toBeInstanceOf(DecodeError);
      const mt = err as MalformedTransactionError;
      expect(mt.reason).toMatch(why);
      // blake2b-256 of the bytes as sent = the ID the sender computed: its pending question gets this answer.
      expect(mt.txId).toEqual(transactionId(tx));
      expect(encodeTransaction(tx).length).toBeGreaterThan(0);
    }
  });

  it('duplicate output addresses in the bytes are refused the same way', () => {
    const tx = transfer(alice, [{ txId: GENESIS_TX_ID, address: alice.address }], [{ address: bob.address, balances: iotas(1n) }, { address: alice.address, balances: iotas(999n) }]);
    const frame = encodeNodeConnMessage({ kind: 'waspToNodeTransaction', tx });
    // Rewrite the second output's address to equal the first (both Ed25519, 33 bytes each, sorted in the essence).
    const enc = encodeTransaction(tx);
    const outputsAt = 1 + 4 + 65 + 4; // version, input count, one input (tx ID 32 + address 33), output count
    const second = outputsAt + 33 + 4 + 40;
    const dup = enc.slice();
    dup.set(enc.subarray(outputsAt, outputsAt + 33), second);
    const bad = frame.slice();
    bad.set(dup, frame.length - enc.length);
    expect(() => decodeWaspToNode(bad)).toThrow(/output addresses not strictly increasing/);
    expect(() => decodeWaspToNode(bad)).toThrow(MalformedTransactionError);
  });

  it('a frame whose transaction length does not match the frame stays plain garbage (not answered)', () => {
    const frame = encodeNodeConnMessage({ kind: 'waspToNodeTransaction', tx: zeroOutputs() });
    let err: unknown;
    try {
      decodeWaspToNode(Uint8Array.of(...frame, 0));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DecodeError);
    expect(err).not.toBeInstanceOf(MalformedTransactionError);
  });

  it('malformedTransaction answers rejected with the reason', () => {
    const { server, session } = setup();
    const m = inclusion([server.malformedTransaction(session, new Uint8Array(32).fill(3), 'too many inputs: 3000 > 256')]);
    expect(m).toEqual({ kind: 'waspFromNodeTransactionInclusionState', txId: new Uint8Array(32).fill(3), address: NO_ADDRESS, state: 'rejected', reason: 'malformed transaction: too many inputs: 3000 > 256' });
  });

  it('handleGuarded: a throwing ledger is logged and answered, never thrown', () => {
    const { ledger, session, log } = setup();
    const server = new NodeConnServer(ledger, undefined, (l) => log.push(l), () => {
      throw new Error('disk full');
    });
    const tx = transfer(alice, [{ txId: GENESIS_TX_ID, address: alice.address }], [{ address: bob.address, balances: iotas(1000n) }]);
    const r = server.handleGuarded(session, { kind: 'waspToNodeTransaction', tx }, 0);
    expect(r.reset).toBe(false);
    const m = inclusion(r.replies);
    expect(m.state).toBe('rejected');
    expect(m.reason).toMatch(/hub error: Error: disk full/);
    expect(log.some((l) => l.includes('disk full'))).toBe(true);
  });
});

describe('nodeconn server: a rejection for an unknown input is not sticky', () => {
  it('child posted before its parent is rejected, then booked when re-posted after the parent', () => {
    const { ledger, server, session } = setup();
    const parent = transfer(alice, [{ txId: GENESIS_TX_ID, address: alice.address }], [{ address: bob.address, balances: iotas(1000n) }]);
    const child = transfer(bob, [{ txId: transactionId(parent), address: bob.address }], [{ address: alice.address, balances: iotas(1000n) }]);
    const first = inclusion(server.handle(session, { kind: 'waspToNodeTransaction', tx: child }, 0));
    expect(first.state).toBe('rejected');
    expect(first.reason).toMatch(new RegExp(`${LEDGER_RULES.inputUnknown}.*does not exist`));
    expect(inclusion(server.handle(session, { kind: 'waspToNodeTransaction', tx: parent }, 1)).state).toBe('booked');
    const again = inclusion(server.handle(session, { kind: 'waspToNodeTransaction', tx: child }, 2));
    expect(again).toEqual({ kind: 'waspFromNodeTransactionInclusionState', txId: transactionId(child), address: alice.address, state: 'booked', reason: '' });
    expect(ledger.getInclusionState(transactionId(child))?.state).toBe('booked');
  });

  it('final rejections (a double spend) are still remembered', () => {
    const { ledger, server, session } = setup();
    const a = transfer(alice, [{ txId: GENESIS_TX_ID, address: alice.address }], [{ address: bob.address, balances: iotas(1000n) }]);
    const b = transfer(alice, [{ txId: GENESIS_TX_ID, address: alice.address }], [{ address: alice.address, balances: iotas(1000n) }]);
    expect(inclusion(server.handle(session, { kind: 'waspToNodeTransaction', tx: a }, 0)).state).toBe('booked');
    expect(inclusion(server.handle(session, { kind: 'waspToNodeTransaction', tx: b }, 1)).reason).toMatch(/double spend/);
    expect(ledger.getInclusionState(transactionId(b))).toEqual({ state: 'rejected', reason: expect.stringMatching(/double spend/) });
  });
});

describe('faucet requests over nodeconn are paid in batches', () => {
  it('requests from several sessions are queued and paid by ONE transaction at flushFaucet, each answered with it', () => {
    const kp = faucetKeyPair('server.test');
    const ledger = testLedger([], { genesis: [faucetGenesis(kp)], confirmDelayMs: 10 });
    const server = new NodeConnServer(ledger, new Faucet(ledger, kp, 1_000_000n, { limits: { ...HUB_FAUCET_LIMITS, burst: 3 }, nowMs: () => 0 }));
    let queued = 0;
    server.onFaucetQueued = () => queued++;
    const ws = wallets(4, 33);
    const sessions = ws.map(() => server.openSession());
    for (let i = 0; i < 3; i++) expect(server.handle(sessions[i]!, { kind: 'waspToNodeRequestFunds', address: ws[i]!.address }, 0)).toEqual([]);
    // Over the rate limit: refused at once, with the reason, and not queued.
    expect(inclusion(server.handle(sessions[3]!, { kind: 'waspToNodeRequestFunds', address: ws[3]!.address }, 0))).toMatchObject({ state: 'rejected', reason: expect.stringMatching(/^faucet: the faucet is busy/) });
    expect(queued).toBe(3);
    expect(server.faucetQueued).toBe(3);
    const replies = server.flushFaucet(0);
    expect(replies.map((r) => r.session)).toEqual(sessions.slice(0, 3));
    const txIds = new Set(replies.map((r) => (r.message.kind === 'waspFromNodeTransactionInclusionState' ? r.message.state + toHex(r.message.txId) : '')));
    expect(txIds.size).toBe(1);
    expect([...txIds][0]).toMatch(/^booked/);
    expect(replies.map((r) => (r.message as { address: { digest: Uint8Array } }).address.digest)).toEqual(ws.slice(0, 3).map((w) => w.address.digest));
    expect(server.faucetQueued).toBe(0);
  });

  it('an empty faucet answers every queued request with the reason and gives back their allowance', () => {
    const kp = faucetKeyPair('server.test.empty');
    const ledger = testLedger([], { genesis: [faucetGenesis(kp, 1_500_000n)], confirmDelayMs: 10 });
    const faucet = new Faucet(ledger, kp, 1_000_000n, { limits: HUB_FAUCET_LIMITS, nowMs: () => 0 });
    const server = new NodeConnServer(ledger, faucet);
    const s = server.openSession();
    server.handle(s, { kind: 'waspToNodeRequestFunds', address: alice.address }, 0);
    server.handle(s, { kind: 'waspToNodeRequestFunds', address: bob.address }, 0);
    const replies = server.flushFaucet(0);
    expect(replies.map((r) => r.message)).toEqual([
      expect.objectContaining({ state: 'rejected', reason: expect.stringMatching(/^faucet: faucet .* is empty/) }),
      expect.objectContaining({ state: 'rejected', reason: expect.stringMatching(/^faucet: faucet .* is empty/) }),
    ]);
    expect(faucet.paidTo(alice.address)).toBe(0n);
  });
});
