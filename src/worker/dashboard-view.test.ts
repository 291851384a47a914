import { describe, expect, it } from 'vitest';
import { AddressKind, addressFromPublicKey, addressToString, agentIDFromAddress, COLOR_IOTA, colorKey, hname, requestIDToString, type Address, type RequestID } from '../protocol';
import { VirtualState, VirtualStateBuffer } from '../state/vstate';
import type { BootupRecord } from '../state/store';
import { Dict } from '../vm/dict';
import { EP, H } from '../vm/core/names';
import { writeReceipt } from '../vm/core/blocklog';
import { ROOT_VAR, rootKey, writeContractRecord } from '../vm/core/registry';
import type { ChainSnapshot } from '../node/node';
import type { DeploymentView } from '../node/setup';
import type { BlocksSeen, ChainBook, PostedRequest } from './book';
import { blocksSeenAfter, dashboardView, type DashboardInput, type DashboardReads } from './dashboard-view';
import { RUNTIME_LIMITS } from './limits';

const addr = (b: number): Address => addressFromPublicKey(AddressKind.BLS, new Uint8Array(96).fill(b));
const me = 'aa'.repeat(32);
const bob = 'bb'.repeat(32);
const carol = 'cc'.repeat(32);
const NONE: BlocksSeen = { blocks: [], lastIndex: -1 };
const rid = (i: number): RequestID => ({ txId: new Uint8Array(32).fill(9), index: i });
const record = (chain: Address): BootupRecord => ({ chainAddress: chain, chainColor: new Uint8Array(32), committeeNodeIds: [me, bob, carol], n: 3, t: 2, myIndex: 0 });

function snap(over: Partial<ChainSnapshot>): ChainSnapshot {
  return { chain: 'c', blockIndex: 0, stateHash: 'h0', anchorTxId: null, synced: true, leader: null, leaderPos: 0, stage: 'idle', backlog: [], recentBlocks: [], anchors: [], evidence: [], syncRefusals: [], ...over };
}
const recent = (i: number, requests = 1) => ({ blockIndex: i, requests, anchorTxId: `a${i}`, stateHash: `h${i}`, timestampMs: 1_000 * i });

describe('blocks seen between snapshots', () => {
  it("records every block committed since the last snapshot, with the block's own time", () => {
    const s1 = blocksSeenAfter(NONE, snap({ blockIndex: 3, stateHash: 'h3', recentBlocks: [recent(0), recent(1, 4), recent(2), recent(3, 2)] }), 500);
    // Block #0 (origin) is never a row.
    expect(s1.blocks).toEqual([
      { index: 1, timeMs: 1_000, requests: 4, stateHash: 'h1' },
      { index: 2, timeMs: 2_000, requests: 1, stateHash: 'h2' },
      { index: 3, timeMs: 3_000, requests: 2, stateHash: 'h3' },
    ]);
    expect(s1.lastIndex).toBe(3);
    // Same tip: nothing new (and the same object, so the wiring stores nothing).
    expect(blocksSeenAfter(s1, snap({ blockIndex: 3, recentBlocks: [recent(3)] }), 900)).toBe(s1);
    const s2 = blocksSeenAfter(s1, snap({ blockIndex: 5, recentBlocks: [recent(2), recent(3), recent(4), recent(5)] }), 700);
    expect(s2.blocks.map((b) => [b.index, b.timeMs])).toEqual([[1, 1_000], [2, 2_000], [3, 3_000], [4, 4_000], [5, 5_000]]);
  });

  it('shows a state restored from the store (no recent commit) as it stands, and keeps only the newest rows', () => {
    expect(blocksSeenAfter(NONE, snap({ blockIndex: 7, stateHash: 'h7' }), 1).blocks).toEqual([{ index: 7, timeMs: 1, requests: 0, stateHash: 'h7' }]);
    const many = Array.from({ length: RUNTIME_LIMITS.blocksShown + 5 }, (_, i) => recent(i + 1));
    const s = blocksSeenAfter(NONE, snap({ blockIndex: many.length, recentBlocks: many }), 1);
    expect(s.blocks.length).toBe(RUNTIME_LIMITS.blocksShown);
    expect(s.blocks[0]?.index).toBe(6);
  });
});

describe('dashboard view (node state + bookkeeping → NodeSnapshotView)', () => {
  const a = addr(1);
  const b = addr(2);
  const gone = addr(3);
  const st = new VirtualStateBuffer(VirtualState.origin());
  writeReceipt(st, { requestId: rid(0), ok: false, error: { kind: 'Panic', message: 'counter overflow' }, gasUsed: 1n, blockIndex: 2, indexInBlock: 0 });
  writeReceipt(st, { requestId: rid(1), ok: true, gasUsed: 1n, blockIndex: 2, indexInBlock: 1 });
  writeContractRecord(st, { hname: hname('counter'), name: 'counter', description: 'counts', vmType: 'wasm', programHash: new Uint8Array(32), creator: agentIDFromAddress(a) });
  const iotas = new Uint8Array(8);
  new DataView(iotas.buffer).setBigUint64(0, 1234n, true);

  const snapshots = new Map<string, ChainSnapshot>([
    [addressToString(a), snap({ chain: 'A', blockIndex: 2, stateHash: 'h2', leader: carol, stage: 'consensus', recentBlocks: [recent(1), recent(2, 3)], backlog: [{ requestId: 'r', txId: 't' }], anchors: [{ txId: 'x', blockIndex: 1, state: 'confirmed' }, { txId: 'y', blockIndex: 2, state: 'posted' }] })],
    [addressToString(b), snap({ chain: 'B', synced: false, stage: 'fetching' })],
  ]);
  const dkg: DeploymentView = {
    sessionId: 'ab'.repeat(32), initiator: me, isInitiator: true, members: [me, bob, carol], t: 2, myIndex: 0, phase: 'deal',
    dealt: [0], responded: [], justified: [], confirmed: [], complaints: [], qual: null, excluded: [], reported: [], activated: [], chainAddress: null, error: null,
  };
  const viewCalls: string[] = [];
  const reads: DashboardReads = {
    snapshot: (c) => snapshots.get(addressToString(c)) ?? null,
    solidState: (c) => (addressToString(c) === addressToString(a) ? st : null),
    callView: (c, contract, view) => {
      viewCalls.push(`${addressToString(c).slice(0, 6)}:${contract}.${view}`);
      if (contract !== H.accounts || view !== hname(EP.accounts.totalAssets)) throw new Error('unexpected view');
      return new Dict().set(colorKey(COLOR_IOTA), iotas);
    },
    deployments: () => [dkg],
  };
  const books: ChainBook[] = [
    { record: record(a), description: 'my chain', seen: NONE },
    { record: record(gone), description: 'not active', seen: { blocks: [], lastIndex: 4 } },
    { record: record(b), description: '', seen: NONE },
  ];
  const posted: PostedRequest[] = [
    { chain: a, id: rid(0), label: 'counter.increment' },
    { chain: a, id: rid(1), label: 'counter.increment' },
    { chain: b, id: rid(0), label: 'other chain' },
    { chain: a, id: rid(2), label: 'not processed yet' },
  ];
  const input: DashboardInput = { nodeId: me, nodeName: 'alice', nowMs: 42, wallet: { address: a, iotas: 77n }, chains: books, peers: new Map([[bob, { name: 'bob', up: true }], [carol, { name: 'carol', up: false }]]), posted };

  it('renders each chain the node runs from its snapshot, solid state and the runtime bookkeeping', () => {
    const { view, seen } = dashboardView(reads, input);
    expect(view).toMatchObject({ nodeId: me, nodeName: 'alice', wallet: { address: addressToString(a), balance: '77' } });
    expect(view.chains.map((c) => c.chain)).toEqual(['A', 'B']);
    const [ca, cb] = view.chains;
    expect(ca).toMatchObject({
      description: 'my chain',
      committee: [{ nodeId: me, up: true }, { nodeId: bob, up: true }, { nodeId: carol, up: false }],
      t: 2,
      myIndex: 0,
      leader: 2,
      stage: 'consensus',
      quorumUp: true,
      blockIndex: 2,
      backlog: [{ requestId: 'r', txId: 't', entryPoint: '' }],
      anchors: [{ txId: 'x', blockIndex: 1, state: 'confirmed' }, { txId: 'y', blockIndex: 2, state: 'pending' }],
      contracts: [{ name: 'counter', hname: expect.any(String), description: 'counts' }],
      balance: '1234',
    });
    // Newest block first; only this chain's failed receipts, labelled.
    expect(ca?.blocks.map((x) => x.index)).toEqual([2, 1]);
    expect(ca?.errors).toEqual([{ requestId: requestIDToString(rid(0)), message: 'counter.increment: Panic: counter overflow' }]);
    // No solid state: no contracts, errors or balance read, and it says it is syncing.
    expect(cb).toMatchObject({ stage: 'syncing (fetching)', leader: undefined, contracts: [], errors: [], balance: '0', blocks: [] });
    expect(viewCalls.length).toBe(1);
    expect(view.dkg.map((d) => [d.phase, d.role])).toEqual([['deal', 'initiator']]);
    // Blocks seen, per input chain; the chain without a snapshot keeps its own.
    expect(seen.map((s) => s.lastIndex)).toEqual([2, 4, 0]);
    expect(seen[1]).toBe(books[1]?.seen);
    expect(seen[0]?.blocks.map((x) => x.timeMs)).toEqual([1_000, 2_000]); // the blocks' own times, not the snapshot's
  });

  it("a member that did not create the chain shows the description from the chain's own state", () => {
    st.set(rootKey(ROOT_VAR.description), new TextEncoder().encode('from root.init'));
    const { view } = dashboardView(reads, { ...input, chains: [{ record: record(a), description: '', seen: NONE }] });
    expect(view.chains[0]?.description).toBe('from root.init');
    // The creator's own note wins (it is the same text; known before block #1).
    expect(dashboardView(reads, input).view.chains[0]?.description).toBe('my chain');
    st.del(rootKey(ROOT_VAR.description));
  });

  it('quorum counts only members that are up; a failing balance view shows 0 instead of breaking the snapshot', () => {
    const alone = dashboardView({ ...reads, callView: () => { throw new Error('no accounts'); } }, { ...input, peers: new Map() });
    expect(alone.view.chains[0]).toMatchObject({ quorumUp: false, balance: '0', committee: [{ up: true }, { up: false }, { up: false }] });
  });
});
