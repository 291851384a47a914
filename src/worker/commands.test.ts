import { describe, expect, it } from 'vitest';
import { AddressKind, addressFromPublicKey, addressKey, addressToString, requestIDToString, type Address } from '../protocol';
import { ed25519KeyPairFromSeed } from '../crypto/ed25519';
import type { BootupRecord } from '../state/store';
import type { NodeCommand } from './bridge';
import { RuntimeBook } from './book';
import { runCommand, type CommandDeps } from './commands';
import { RUNTIME_LIMITS } from './limits';
import { MemoryMetaStore, settle, testIdentity, testNode, VirtualTimers } from './testkit';

const chainAddr = (b: number): Address => addressFromPublicKey(AddressKind.BLS, new Uint8Array(96).fill(b));
const bob = testIdentity(2).nodeId;
const carol = testIdentity(3).nodeId;

/** The handlers against a real node (memory store, L1 recorded) and a chain the book knows but the node does not run. */
async function setup() {
  const timers = new VirtualTimers();
  const t = testNode(1, timers);
  const meta = new MemoryMetaStore();
  const book = new RuntimeBook();
  const known = chainAddr(7);
  const record: BootupRecord = { chainAddress: known, chainColor: new Uint8Array(32), committeeNodeIds: [t.nodeId, bob, carol], n: 3, t: 2, myIndex: 0 };
  await book.remember(record, meta);
  let changes = 0;
  const deps: CommandDeps = {
    node: t.node,
    nodeId: t.nodeId,
    wallet: t.node.wallet(ed25519KeyPairFromSeed(new Uint8Array(32).fill(5))),
    walletIotas: () => 1_000n,
    book,
    meta,
    store: t.store,
    clock: timers,
    changed: () => void changes++,
  };
  const run = (c: NodeCommand) => runCommand(c, deps);
  return { ...t, timers, book, deps, run, known: addressToString(known), changes: () => changes };
}

describe('dashboard commands: what a user typed is checked before anything is paid', () => {
  it('createChain: quorum, membership, and members that are not connected (named when known)', async () => {
    const s = await setup();
    await expect(s.run({ kind: 'createChain', memberNodeIds: [s.nodeId, bob, carol], t: 1, description: '' })).rejects.toThrow('quorum T = 1 must satisfy N/2 < T ≤ N (N = 3)');
    await expect(s.run({ kind: 'createChain', memberNodeIds: [s.nodeId, s.nodeId], t: 2, description: '' })).rejects.toThrow(/unique/);
    await expect(s.run({ kind: 'createChain', memberNodeIds: [bob, carol], t: 2, description: '' })).rejects.toThrow('this node must be a member of the committee it creates');
    s.book.peers.set(bob, { name: 'bob', up: false });
    await expect(s.run({ kind: 'createChain', memberNodeIds: [s.nodeId, bob, carol], t: 2, description: '' })).rejects.toThrow(`not connected to bob, ${carol.slice(0, 8)}: wait until every member shows 'up'`);
    s.book.peers.set(bob, { name: 'bob', up: true });
    await expect(s.run({ kind: 'createChain', memberNodeIds: [s.nodeId, bob, carol], t: 2, description: '' })).rejects.toThrow(`not connected to ${carol.slice(0, 8)}:`);
    expect(s.l1Sent).toEqual([]);
  });

  it('a chain must be an address of a chain this node runs', async () => {
    const s = await setup();
    await expect(s.run({ kind: 'deposit', chain: 'not-an-address', amount: 5 })).rejects.toThrow("'not-an-address' is not a chain address");
    const other = addressToString(chainAddr(8));
    await expect(s.run({ kind: 'audit', chain: other })).rejects.toThrow(`this node does not run chain ${other.slice(0, 12)}…`);
    await expect(s.run({ kind: 'postRequest', chain: other, contract: 'c', entryPoint: 'e', params: {}, transfer: 0 })).rejects.toThrow(/does not run chain/);
    // Surrounding blanks (a pasted address) are fine.
    await expect(s.run({ kind: 'audit', chain: ` ${s.known} ` })).resolves.toEqual({ kind: 'audit', blockIndex: 0, stateHash: '', requests: 0, duplicates: 0 });
  });

  it('amounts, counts, parameters and contract names', async () => {
    const s = await setup();
    for (const amount of [0, -3, 1.5, Number.NaN]) await expect(s.run({ kind: 'deposit', chain: s.known, amount })).rejects.toThrow('the amount must be a whole number of iotas above 0');
    const many = (count: number): NodeCommand => ({ kind: 'postMany', chain: s.known, contract: 'inccounter', entryPoint: 'increment', params: {}, count });
    for (const count of [0, RUNTIME_LIMITS.postManyMax + 1, 2.5]) await expect(s.run(many(count))).rejects.toThrow(`count must be 1..${RUNTIME_LIMITS.postManyMax}`);
    await expect(s.run({ kind: 'postRequest', chain: s.known, contract: 'c', entryPoint: 'e', params: { n: 'u64:-1' }, transfer: 0 })).rejects.toThrow(/whole number/);
    await expect(s.run({ kind: 'deployWasm', chain: s.known, name: '9lives', description: '', program: new Uint8Array(4) })).rejects.toThrow("contract name '9lives' is not allowed");
    await expect(s.run({ kind: 'callView', chain: s.known, contract: 'root', view: 'getChainInfo', params: {} })).rejects.toThrow('the chain has no state yet');
    // Nothing reached L1 (no faucet call, no request transaction) and nothing was tracked.
    expect(s.l1Sent).toEqual([]);
    expect(s.book.posted).toEqual([]);
    expect(s.changes()).toBe(0);
  });

  it('waitProcessed: request IDs are checked; the wait ends on the injected clock with the dashboard wording', async () => {
    const s = await setup();
    await expect(s.run({ kind: 'waitProcessed', chain: s.known, requestIds: ['nope'] })).rejects.toThrow('a request ID must look like [index]transactionID');
    const id = requestIDToString({ txId: new Uint8Array(32).fill(3), index: 0 });
    let outcome: string | undefined;
    void s.run({ kind: 'waitProcessed', chain: s.known, requestIds: [id] }).then(
      () => (outcome = 'resolved'),
      (e: Error) => (outcome = e.message),
    );
    await s.timers.advance(RUNTIME_LIMITS.waitProcessedMs - 1_000);
    expect(outcome).toBeUndefined();
    await s.timers.advance(2_000);
    await settle();
    expect(outcome).toBe(`the chain did not process the request within ${RUNTIME_LIMITS.waitProcessedMs / 1000} s`);
    expect(s.timers.pending).toBe(0);
  });

  it('book: a chain is remembered once, with the description saved when it was created here', async () => {
    const s = await setup();
    const a = chainAddr(9);
    await s.deps.meta.putDescription(addressKey(a), 'counter demo');
    const rec: BootupRecord = { chainAddress: a, chainColor: new Uint8Array(32), committeeNodeIds: [s.nodeId], n: 1, t: 1, myIndex: 0 };
    expect(await s.book.remember(rec, s.deps.meta)).toBe(true);
    expect(await s.book.remember(rec, s.deps.meta)).toBe(false);
    expect(s.book.chain(a)?.description).toBe('counter demo');
    expect([...s.book.chains.values()].map((c) => addressToString(c.record.chainAddress))).toEqual([s.known, addressToString(a)]);
  });
});
