import { describe, expect, it } from 'vitest';
import { balancesOf, COLOR_IOTA, compareRequestIDs, hname, requestIDKey, toHex, transactionId, type ValueTransaction } from '../protocol';
import { ed25519KeyPairFromSeed } from '../crypto/ed25519';
import { buildRequestTx } from '../chain/deploy';
import { syntheticChain } from '../state/manager.fixture';
import { Backlog, bookedOutputBalances } from './backlog';

const chain = syntheticChain(0);
const wallet = ed25519KeyPairFromSeed(new Uint8Array(32).fill(9));

/** A request tx with `k` requests to the chain, spending a made-up wallet output `seed`. */
function requestTx(seed: number, k = 1): ValueTransaction {
  const specs = Array.from({ length: k }, () => ({ target: { chainId: chain.chainAddress, hname: hname('accounts') }, entryPoint: hname('deposit') }));
  return buildRequestTx(wallet, [{ id: { txId: new Uint8Array(32).fill(seed), address: wallet.address }, balances: balancesOf([[COLOR_IOTA, 100n]]) }], specs);
}
const outputOf = (tx: ValueTransaction) => {
  const id = transactionId(tx);
  return { txId: id, balances: bookedOutputBalances(tx, id, chain.chainAddress) as Map<string, bigint> };
};

describe('backlog', () => {
  it('keeps requests sorted by request ID bytes as transactions load in any order, and removes consumed ones', () => {
    const txs = Array.from({ length: 12 }, (_, i) => requestTx(i + 1, 1 + (i % 3)));
    const b = new Backlog(chain.chainAddress, chain.chainColor, 1_000);
    b.setOutputs(txs.map(outputOf));
    expect(b.fetchesDue(0)).toHaveLength(12);
    const v0 = b.version;
    for (const tx of [...txs].reverse()) expect(b.onTransaction(tx)).toBe(true);
    expect(b.onTransaction(txs[0] as ValueTransaction)).toBe(false); // already loaded
    expect(b.version).toBeGreaterThan(v0);
    const ids = b.requests().map((q) => q.id);
    expect(ids).toHaveLength(txs.reduce((a, tx, i) => a + 1 + (i % 3), 0));
    expect([...ids].sort(compareRequestIDs)).toEqual(ids);
    for (const q of b.requests()) expect(b.get(q.key)).toBe(q);
    expect(b.fetchesDue(10_000)).toHaveLength(0);

    // An anchor consumed the first 5 request transactions: their outputs left the address.
    const v1 = b.version;
    b.setOutputs(txs.slice(5).map(outputOf));
    expect(b.version).toBeGreaterThan(v1);
    const left = new Set(txs.slice(5).map((tx) => requestIDKey({ txId: transactionId(tx), index: 0 })));
    expect(b.requests().filter((q) => q.id.index === 0).every((q) => left.has(q.key))).toBe(true);
    expect(b.requests()).toHaveLength(txs.slice(5).reduce((a, _, i) => a + 1 + ((i + 5) % 3), 0));
    for (const tx of txs.slice(0, 5)) expect(b.get(requestIDKey({ txId: transactionId(tx), index: 0 }))).toBeUndefined();
  });

  it('ignores a transaction whose output is not in the address, and one whose token count does not match', () => {
    const b = new Backlog(chain.chainAddress, chain.chainColor, 1_000);
    const tx = requestTx(1);
    expect(b.onTransaction(tx)).toBe(false);
    const out = outputOf(tx);
    const wrongCount = new Map(out.balances);
    wrongCount.set(toHex(out.txId), 2n); // one request section, two request tokens: spec step 4 skips it
    b.setOutputs([{ txId: out.txId, balances: wrongCount }]);
    expect(b.fetchesDue(0)).toHaveLength(1);
    expect(b.onTransaction(tx)).toBe(true);
    expect(b.requests()).toHaveLength(0);
  });
});

describe('backlog under repeated L1 updates', () => {
  it('an update repeating the same outputs changes nothing; new outputs are fetched once per retry period', () => {
    const txs = Array.from({ length: 4 }, (_, i) => requestTx(40 + i));
    const b = new Backlog(chain.chainAddress, chain.chainColor, 1_000);
    b.setOutputs(txs.slice(0, 2).map(outputOf));
    expect(b.fetchesDue(0)).toHaveLength(2);
    b.onTransaction(txs[0] as ValueTransaction);
    const v = b.version;
    b.setOutputs(txs.slice(0, 2).map(outputOf)); // the same outputs again (fresh objects, as decoded from the wire)
    expect(b.version).toBe(v);
    expect(b.fetchesDue(500)).toHaveLength(0); // tx 1 asked at 0: not again within retryMs
    b.setOutputs(txs.map(outputOf));
    expect(b.fetchesDue(600).map((id) => toHex(id))).toEqual(txs.slice(2).map((tx) => toHex(transactionId(tx))));
    expect(b.fetchesDue(1_000).map((id) => toHex(id))).toEqual([toHex(transactionId(txs[1] as ValueTransaction))]);
    expect(b.requests()).toHaveLength(1);
  });
});

describe('backlog keys', () => {
  it('hexKey is protocol toHex', async () => {
    const { hexKey } = await import('./backlog');
    const { toHex: protocolHex, SeededRng } = await import('../protocol');
    const rng = new SeededRng(3);
    for (let i = 0; i < 50; i++) {
      const b = rng.bytes(i);
      expect(hexKey(b)).toBe(protocolHex(b));
    }
    expect(hexKey(Uint8Array.of(0, 15, 16, 255))).toBe('000f10ff');
  });
});

describe('backlog strays (docs/decisions/vm-request-semantics.md "Tokens nobody claims")', () => {
  const plain = (seed: number, iotas: bigint) => ({ txId: new Uint8Array(32).fill(seed), balances: balancesOf([[COLOR_IOTA, iotas]]) });

  it('an output without a request token, and a loaded transaction with no valid request, are strays sorted by tx ID; the chain UTXO and requests are not', () => {
    const b = new Backlog(chain.chainAddress, chain.chainColor, 1_000);
    const good = requestTx(1);
    const bad = requestTx(2);
    const badOut = outputOf(bad);
    const wrongCount = new Map(badOut.balances);
    wrongCount.set(toHex(badOut.txId), 2n);
    const chainUtxo = { txId: new Uint8Array(32).fill(0xee), balances: balancesOf([[chain.chainColor, 1n]]) };
    b.setOutputs([plain(0xc0, 5n), outputOf(good), { txId: badOut.txId, balances: wrongCount }, plain(0x10, 7n), chainUtxo]);
    expect(b.strays().map((s) => s.key)).toEqual([toHex(new Uint8Array(32).fill(0x10)), toHex(new Uint8Array(32).fill(0xc0))]);
    b.onTransaction(good);
    b.onTransaction(bad);
    const keys = b.strays().map((s) => s.key);
    expect(keys).toEqual([...keys].sort());
    expect(keys).toContain(toHex(badOut.txId));
    expect(keys).not.toContain(toHex(transactionId(good)));
    expect(keys).not.toContain(toHex(chainUtxo.txId));
    expect(b.stray(badOut.txId)?.balances).toEqual(wrongCount);
    expect(b.stray(transactionId(good))).toBeUndefined();
    // The anchor swept them: gone from the address, gone from the strays.
    b.setOutputs([outputOf(good), chainUtxo]);
    expect(b.strays()).toEqual([]);
    expect(b.stray(new Uint8Array(32).fill(0x10))).toBeUndefined();
  });

  it('before the chain colour is known nothing is a stray (the chain UTXO cannot be told from one)', () => {
    const b = new Backlog(chain.chainAddress, null, 1_000);
    b.setOutputs([plain(0x10, 7n)]);
    expect(b.strays()).toEqual([]);
  });
});
