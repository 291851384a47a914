import { describe, expect, it } from 'vitest';
import { AddressKind, COLOR_IOTA, COLOR_MINT, colorKey, balancesOf, type OutputID, type ValueTransaction } from '../protocol/index';
import { signTransaction } from '../crypto/ed25519';
import { GENESIS_TX_ID } from './ledger';
import { Faucet, faucetGenesis, faucetKeyPair } from './faucet';
import { LEDGER_RULES } from './validate';
import { blsAddress, fakeBlsSignature, iotas, testLedger, transfer, wallets } from './testkit';

const [alice, bob, carol] = wallets(3);
if (!alice || !bob || !carol) throw new Error('wallets');
const g = (a = alice): OutputID => ({ txId: GENESIS_TX_ID, address: a.address });

function expectRejected(r: ReturnType<ReturnType<typeof testLedger>['submit']>, rule: string) {
  expect(r.state).toBe('rejected');
  if (r.state === 'rejected') expect(r.rule).toBe(rule);
}

describe('ledger: booking and confirmation', () => {
  it('booked → confirmed after the delay; getOutputs shows confirmed unspent outputs only', () => {
    const l = testLedger([{ address: alice.address, iotas: 100n }], { confirmDelayMs: 100 });
    const tx = transfer(alice, [g()], [{ address: bob.address, balances: iotas(30n) }, { address: alice.address, balances: iotas(70n) }]);
    const r = l.submit(tx, 1000);
    expect(r.state).toBe('booked');
    expect(l.getInclusionState(r.txId)?.state).toBe('booked');
    expect(l.getOutputs(bob.address)).toEqual([]);
    expect(l.getOutputs(alice.address)).toEqual([]); // genesis output is spent (by a booked tx)
    expect(l.tick(1099)).toEqual([]);
    const ev = l.tick(1100);
    expect(ev.map((e) => e.kind)).toEqual(['confirmed']);
    expect(l.getInclusionState(r.txId)?.state).toBe('confirmed');
    expect(l.getOutputs(bob.address).map((o) => o.balances)).toEqual([iotas(30n)]);
    expect(l.getConfirmedTransaction(r.txId)).toBe(tx);
  });

  it('confirmDelayMs 0 confirms on the next tick at the same time', () => {
    const l = testLedger([{ address: alice.address, iotas: 5n }], { confirmDelayMs: 0 });
    const r = l.submit(transfer(alice, [g()], [{ address: bob.address, balances: iotas(5n) }]), 7);
    expect(l.tick(7).length).toBe(1);
    expect(l.getInclusionState(r.txId)?.state).toBe('confirmed');
    expect(l.nextConfirmationAtMs()).toBeUndefined();
  });

  it('address updates are emitted only for subscribed addresses, with all confirmed outputs', () => {
    const l = testLedger([{ address: alice.address, iotas: 10n }], { confirmDelayMs: 0 });
    l.subscribe(bob.address);
    l.submit(transfer(alice, [g()], [{ address: bob.address, balances: iotas(4n) }, { address: carol.address, balances: iotas(6n) }]), 0);
    const ev = l.tick(0);
    const updates = ev.filter((e) => e.kind === 'addressUpdate');
    expect(updates.length).toBe(1);
    expect(updates[0]).toMatchObject({ kind: 'addressUpdate', address: bob.address });
    expect(l.getOutputs(bob.address).map((o) => o.balances)).toEqual([iotas(4n)]);
    l.unsubscribe(bob.address);
  });

  it('a booked output can be spent at once; the child confirms after its parent', () => {
    const l = testLedger([{ address: alice.address, iotas: 10n }], { confirmDelayMs: 50 });
    const t1 = transfer(alice, [g()], [{ address: bob.address, balances: iotas(10n) }]);
    const r1 = l.submit(t1, 0);
    const r2 = l.submit(transfer(bob, [{ txId: r1.txId, address: bob.address }], [{ address: carol.address, balances: iotas(10n) }]), 10);
    expect(r2.state).toBe('booked');
    expect(l.tick(50).map((e) => e.kind === 'confirmed' && e.txId)).toEqual([r1.txId]);
    expect(l.tick(60).map((e) => e.kind === 'confirmed' && e.txId)).toEqual([r2.txId]);
  });
});

describe('ledger: validation rules one by one', () => {
  const l0 = () => testLedger([{ address: alice.address, iotas: 100n }]);
  const to = (a = bob, n = 100n) => ({ address: a.address, balances: iotas(n) });

  it('at least one input', () => expectRejected(l0().submit(signTransaction({ inputs: [], outputs: [to()], dataPayload: new Uint8Array() }, []), 0), LEDGER_RULES.noInputs));
  it('at least one output', () => expectRejected(l0().submit(transfer(alice, [g()], []), 0), LEDGER_RULES.noOutputs));
  it('no empty outputs', () => expectRejected(l0().submit(transfer(alice, [g()], [to(), { address: carol.address, balances: new Map() }]), 0), LEDGER_RULES.emptyOutput));
  it('amounts positive', () => {
    const tx: ValueTransaction = { inputs: [g()], outputs: [{ address: bob.address, balances: new Map([[colorKey(COLOR_IOTA), 0n]]) }], dataPayload: new Uint8Array(), signatures: [] };
    expect(() => l0().submit(tx, 0)).toThrow(expect.objectContaining({ rule: LEDGER_RULES.badAmount }));
  });
  it('duplicate output addresses are malformed (one output per address)', () => {
    const tx: ValueTransaction = { inputs: [g()], outputs: [to(bob, 50n), to(bob, 50n)], dataPayload: new Uint8Array(), signatures: [] };
    expectRejected(l0().submit(tx, 0), LEDGER_RULES.malformed);
  });
  it('inputs exist', () => expectRejected(l0().submit(transfer(alice, [{ txId: new Uint8Array(32).fill(9), address: alice.address }], [to()]), 0), LEDGER_RULES.inputUnknown));
  it('every input address signed', () => {
    const tx: ValueTransaction = { inputs: [g()], outputs: [to()], dataPayload: new Uint8Array(), signatures: [] };
    expectRejected(l0().submit(tx, 0), LEDGER_RULES.inputNotSigned);
  });
  it('signatures verify over the essence', () => {
    const good = transfer(alice, [g()], [to()]);
    const other = transfer(alice, [g()], [to(bob, 99n), to(carol, 1n)]);
    expectRejected(l0().submit({ ...good, signatures: other.signatures }, 0), LEDGER_RULES.signatureInvalid);
  });
  it('a signature whose key is not an input address is refused', () => {
    const tx = signTransaction({ inputs: [g()], outputs: [to()], dataPayload: new Uint8Array() }, [alice, carol]);
    expectRejected(l0().submit(tx, 0), LEDGER_RULES.signatureUnused);
  });
  it('balance conserved: more out than in, and less out than in', () => {
    expectRejected(l0().submit(transfer(alice, [g()], [to(bob, 101n)]), 0), LEDGER_RULES.balanceNotConserved);
    expectRejected(l0().submit(transfer(alice, [g()], [to(bob, 99n)]), 0), LEDGER_RULES.balanceNotConserved);
  });
  it('a color cannot be output beyond its inputs', () => {
    const fake = new Uint8Array(32).fill(5);
    expectRejected(l0().submit(transfer(alice, [g()], [{ address: bob.address, balances: balancesOf([[fake, 1n], [COLOR_IOTA, 99n]]) }]), 0), LEDGER_RULES.colorInsufficient);
  });
  it('BLS-addressed inputs need a BLS signature checked by the injected verifier', () => {
    const pk = new Uint8Array(96).fill(3);
    const chain = blsAddress(pk);
    const l = testLedger([{ address: chain, iotas: 10n }], { confirmDelayMs: 0 });
    const essence = { inputs: [{ txId: GENESIS_TX_ID, address: chain }], outputs: [to(bob, 10n)], dataPayload: new Uint8Array() };
    const sig = fakeBlsSignature(pk, essence);
    expectRejected(l.submit({ ...essence, signatures: [{ ...sig, signature: new Uint8Array(48) }] }, 0), LEDGER_RULES.signatureInvalid);
    expect(l.submit({ ...essence, signatures: [sig] }, 0).state).toBe('booked');
    expect(sig.kind).toBe(AddressKind.BLS);
  });
});

describe('ledger: colors', () => {
  it('MINT outputs become color = tx ID; colors move and can be uncolored back to IOTA', () => {
    const l = testLedger([{ address: alice.address, iotas: 10n }], { confirmDelayMs: 0 });
    const r = l.submit(transfer(alice, [g()], [{ address: bob.address, balances: balancesOf([[COLOR_MINT, 3n], [COLOR_IOTA, 7n]]) }]), 0);
    l.tick(0);
    const [out] = l.getOutputs(bob.address);
    expect(out?.balances).toEqual(balancesOf([[r.txId, 3n], [COLOR_IOTA, 7n]]));
    const inp = { txId: r.txId, address: bob.address };
    const r2 = l.submit(transfer(bob, [inp], [{ address: carol.address, balances: balancesOf([[r.txId, 1n]]) }, { address: bob.address, balances: iotas(9n) }]), 1);
    expect(r2.state).toBe('booked');
  });
});

describe('ledger: conflicts', () => {
  it('double spend: the first seen is booked and confirmed, the later one rejected; nothing else changes', () => {
    const l = testLedger([{ address: alice.address, iotas: 10n }], { confirmDelayMs: 10 });
    const a = transfer(alice, [g()], [{ address: bob.address, balances: iotas(10n) }]);
    const b = transfer(alice, [g()], [{ address: carol.address, balances: iotas(10n) }]);
    const ra = l.submit(a, 0);
    const statsBefore = l.stats;
    const rb = l.submit(b, 1);
    expectRejected(rb, LEDGER_RULES.conflict);
    expect(l.getInclusionState(rb.txId)).toEqual({ state: 'rejected', reason: expect.stringContaining('double spend') });
    expect(l.stats.transactions).toBe(statsBefore.transactions);
    expect(l.stats.outputs).toBe(statsBefore.outputs);
    expect(l.getUnspentOutputs(carol.address)).toEqual([]);
    l.tick(10);
    expect(l.getInclusionState(ra.txId)?.state).toBe('confirmed');
    expect(l.getTransaction(rb.txId)).toBeUndefined();
    // resubmitting either is idempotent
    expect(l.submit(a, 20)).toMatchObject({ state: 'confirmed', duplicate: true });
    expect(l.submit(b, 20)).toMatchObject({ state: 'rejected', duplicate: true });
  });
});

describe('faucet', () => {
  it('funds addresses back to back, chaining on its booked remainder', () => {
    const kp = faucetKeyPair();
    const l = testLedger([], { genesis: [faucetGenesis(kp, 10_000_000n)], confirmDelayMs: 5 });
    const f = new Faucet(l, kp);
    for (const w of [alice, bob, carol]) expect(l.submit(f.request(w.address), 0).state).toBe('booked');
    l.tick(5);
    for (const w of [alice, bob, carol]) expect(l.getOutputs(w.address).map((o) => o.balances)).toEqual([iotas(1_000_000n)]);
    expect(l.getOutputs(kp.address).map((o) => o.balances)).toEqual([iotas(7_000_000n)]);
    expect(() => f.request(kp.address)).toThrow(/itself/);
  });
});
