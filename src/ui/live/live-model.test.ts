import { describe, expect, it } from 'vitest';
import type { ProtocolEvent } from '../../node/types';
import type { PeerView } from '../../net/types';
import type { ChainView } from '../../worker/bridge';
import { LIVE_LINES_MAX, lineRoute, liveModel } from './live-model';

const IDS = ['aa01', 'bb02', 'cc03', 'dd04'];
const CHAIN = 'chainAddr';

function chain(over: Partial<ChainView> = {}): ChainView {
  return {
    chain: CHAIN,
    description: 'test',
    committee: IDS.map((nodeId, i) => ({ nodeId, up: i !== 3 })),
    t: 3,
    myIndex: 1,
    leader: 2,
    stage: 'waitingAnchor',
    quorumUp: true,
    blockIndex: 4,
    stateHash: 'ab'.repeat(32),
    backlog: [{ requestId: 'r1', txId: 't1', entryPoint: 'increment' }],
    blocks: [{ index: 4, timeMs: 1, requests: 2, stateHash: 'cd'.repeat(32) }],
    anchors: [{ txId: 'tx4', blockIndex: 4, state: 'confirmed' }],
    contracts: [],
    errors: [],
    evidence: [],
    balance: '0',
    ...over,
  };
}

const peer = (nodeId: string, name: string, kind: PeerView['kind']): PeerView => ({ peerId: `p-${nodeId}`, nodeId, name, kind, pingMs: undefined, peeringRttMs: undefined, peeringUp: kind !== 'none', dialAttempts: 0, lastError: undefined, lastSeenMs: 0 });
const PEERS = [peer('aa01', 'alice', 'direct'), peer('cc03', 'carol', 'relayed')];

const ev = (timeMs: number, kind: ProtocolEvent['kind'], text: string, direction?: ProtocolEvent['direction'], peerId?: string, nodeId = 'bb02', ch = CHAIN): ProtocolEvent => ({ timeMs, nodeId, chain: ch, kind, text, ...(direction ? { direction } : {}), ...(peerId ? { peer: peerId } : {}) });

describe('liveModel', () => {
  it("draws the committee from this node's point of view: my stage and block, the leader, link kinds", () => {
    const m = liveModel({ chain: chain(), events: [], myNodeId: 'bb02', peers: PEERS });
    expect(m.myIndex).toBe(1);
    expect(m.leader).toBe(2);
    expect(m.n).toBe(4);
    expect(m.links.map((l) => l.kind)).toEqual(['direct', 'self', 'relayed', 'none']);
    expect(m.links.map((l) => l.name)).toEqual(['alice', 'me', 'carol', 'dd04']);
    const me = m.snap.members[1];
    expect(me?.stage).toBe('waitingAnchor');
    expect(me?.backlog).toEqual(['r1']);
    expect(m.snap.members[0]?.stage).toBe('peer');
    expect(m.snap.members[3]?.stage).toBe('down');
    expect(m.snap.members.every((x) => x.leader === 2)).toBe(true);
    expect(m.snap.blocks).toEqual([{ blockIndex: 4, requests: 2, anchorTxId: 'cd'.repeat(32) }]);
    expect(m.snap.l1.anchors).toEqual([{ txId: 'tx4', blockIndex: 4, state: 'confirmed' }]);
  });

  it('turns sent/received events into messages with the spec step, and L1 confirmations into L1 → me', () => {
    const events = [
      ev(10, 'leaderRotation', 'Round for block #5: leader is member 2 (position 0 of the permutation).'),
      ev(20, 'requestNotification', 'Told leader 2 about 1 request(s) ready here.', 'sent', 'cc03'),
      ev(30, 'computationContext', "Received the leader's context: 1 request(s), timestamp 5.", 'received', 'cc03'),
      ev(40, 'vmRun', 'Running the VM on 1 request(s).'),
      ev(50, 'resultAndPartialSig', 'Sent result hash ab… and partial signature to leader 2.', 'sent', 'cc03'),
      ev(60, 'anchorPosted', 'Leader 2 posted anchor 1234567890… to L1.', 'received', 'cc03'),
      ev(70, 'anchorConfirmed', 'Anchor confirmed: committed block #5 (1 request(s)), state hash ab….'),
      ev(75, 'computationContext', 'other chain', 'received', 'cc03', 'bb02', 'otherChain'),
      ev(76, 'computationContext', 'other node', 'received', 'cc03', 'aa01'),
    ];
    const m = liveModel({ chain: chain(), events, myNodeId: 'bb02', peers: PEERS });
    expect(m.lines.map((l) => [l.kind, l.direction, l.from, l.to, l.step, l.via])).toEqual([
      ['leaderRotation', 'local', null, null, 1, 'self'],
      ['requestNotification', 'sent', 1, 2, 2, 'relayed'],
      ['computationContext', 'received', 2, 1, 6, 'relayed'],
      ['vmRun', 'local', null, null, 6, 'self'],
      ['resultAndPartialSig', 'sent', 1, 2, 9, 'relayed'],
      ['anchorPosted', 'received', 2, 1, 13, 'relayed'],
      ['anchorConfirmed', 'received', 'L1', 1, 14, 'self'],
    ]);
    expect(m.lines[2]?.stepTitle).toBe('Context sent to all; leader runs the VM');
    expect(m.lines[6]?.stepTitle).toBe('Anchor confirmed → commit block');
    expect(lineRoute(m.lines[2]!, m)).toBe('leader #2 → me');
    expect(lineRoute(m.lines[6]!, m)).toBe('L1 → me');
    // The sender of a context is that round's leader even when the node has moved on to another leader.
    const later = liveModel({ chain: chain({ leader: 0 }), events, myNodeId: 'bb02', peers: PEERS });
    expect(lineRoute(later.lines[2]!, later)).toBe('leader #2 → me');
    expect(lineRoute(later.lines[1]!, later)).toBe('me → leader #2');
    expect(m.messages.map((x) => [x.kind, x.from, x.to])).toEqual([
      ['requestNotification', 1, 2],
      ['computationContext', 2, 1],
      ['resultAndPartialSig', 1, 2],
      ['anchorPosted', 2, 1],
      ['anchorConfirmed', 'L1', 1],
    ]);
    expect(new Set(m.messages.map((x) => x.seq)).size).toBe(m.messages.length);
  });

  it('as leader: a broadcast context goes to every other member, and the combined anchor goes to L1', () => {
    const events = [
      ev(10, 'computationContext', 'As leader, proposing a batch of 1 request(s) for block #5.', 'local'),
      ev(11, 'computationContext', 'Sent the computation context (1 request(s)) to the committee.', 'sent'),
      ev(30, 'resultAndPartialSig', 'Received result and partial signature from member 0.', 'received', 'aa01'),
      ev(40, 'anchorPosted', 'Combined 3 partial signatures into the BLS signature and posted anchor 12… for block #5.'),
    ];
    const m = liveModel({ chain: chain({ leader: 1 }), events, myNodeId: 'bb02', peers: PEERS });
    expect(m.lines.map((l) => [l.step, l.from, l.to])).toEqual([
      [3, null, null],
      [6, 1, 'all'],
      [9, 0, 1],
      [12, 1, 'L1'],
    ]);
    expect(m.messages.map((x) => [x.kind, x.from, x.to])).toEqual([
      ['computationContext', 1, 0],
      ['computationContext', 1, 2],
      ['computationContext', 1, 3],
      ['resultAndPartialSig', 0, 1],
      ['anchorPosted', 1, 'L1'],
    ]);
    expect(lineRoute(m.lines[1]!, m)).toBe('me → all');
  });

  it(`keeps at most ${LIVE_LINES_MAX} narration lines (the newest)`, () => {
    const events = Array.from({ length: LIVE_LINES_MAX + 25 }, (_, i) => ev(i, 'requestNotification', `n${i}`, 'sent', 'cc03'));
    const m = liveModel({ chain: chain(), events, myNodeId: 'bb02', peers: PEERS });
    expect(m.lines).toHaveLength(LIVE_LINES_MAX);
    expect(m.lines[0]?.text).toBe('n25');
  });
});
