import type { ClassMessage, MemberView, Snapshot } from '../../sim/classroom-model';
import { SPEC_STEPS } from '../../sim/classroom-model';
import { stepOfTrace } from '../../sim/classroom-narrate';
import type { ConnectionKind, PeerView } from '../../net/types';
import type { ProtocolEvent } from '../../protocol/events';
import type { ChainView } from '../../worker/bridge';

/**
 * Live mode of the classroom picture: one real chain as THIS tab's node sees it. Pure: the node's snapshot
 * (stage, leader, block index, backlog), its protocol events (direction + peer) and the page's peer list
 * (direct or relayed link) in, the classroom's plain records (Snapshot, ClassMessage) plus narration out.
 * Only this node's own member carries a stage and block index: the others are known by their link only.
 */

/** Narration lines kept per chain (the host keeps 300 events for all chains; this is the panel's own cap). */
export const LIVE_LINES_MAX = 60;
/** A message is drawn travelling for this long (wall ms) after its event, then only the narration keeps it. */
export const LIVE_FLIGHT_MS = 1_500;

export type LinkKind = ConnectionKind | 'self';

export interface LiveLink {
  readonly index: number;
  readonly nodeId: string;
  readonly name: string;
  readonly kind: LinkKind;
}

/** One narrated line: an event of this node, with the message it is (if it is one) and its spec step. */
export interface LiveLine {
  readonly seq: number;
  readonly timeMs: number;
  readonly kind: string;
  readonly direction: 'sent' | 'received' | 'local';
  /** Sender and receiver as committee indices or 'L1'; null for a local step. A broadcast has to = 'all'. */
  readonly from: number | 'L1' | null;
  readonly to: number | 'L1' | 'all' | null;
  readonly label: string;
  readonly step: number | null;
  readonly stepTitle: string;
  /** That round's leader, when the message names it (a context comes from it, results go to it). */
  readonly leader: number | null;
  /** The link the message travelled over (for peer messages; 'self' otherwise). */
  readonly via: LinkKind;
  readonly text: string;
}

export interface LiveModel {
  readonly myIndex: number | null;
  readonly leader: number | null;
  readonly n: number;
  readonly snap: Snapshot;
  readonly links: readonly LiveLink[];
  /** Picture-ready messages (one per receiver for a broadcast), with wall times for the flight animation. */
  readonly messages: readonly ClassMessage[];
  readonly lines: readonly LiveLine[];
}

const LABEL: Record<string, string> = {
  requestNotification: 'request notification',
  computationContext: 'computation context',
  resultAndPartialSig: 'result hash + partial sig',
  anchorPosted: 'anchor posted',
  anchorConfirmed: 'anchor confirmed',
  anchorRejected: 'anchor rejected',
  syncRequest: 'sync request',
  syncBlock: 'synced block',
  leaderRotation: 'leader',
  stateTransition: 'state transition',
  evidence: 'evidence',
  vmRun: 'VM',
  backlog: 'backlog',
};

/** Kinds that are messages from L1 to this node even though the node notes them as local. */
const FROM_L1 = new Set(['anchorConfirmed', 'anchorRejected']);
/** Messages the round's leader sends (step 6, 13) and the ones only the leader receives (step 2, 9). */
const FROM_LEADER = new Set(['computationContext', 'anchorPosted']);
const TO_LEADER = new Set(['requestNotification', 'resultAndPartialSig']);

export interface LiveInput {
  readonly chain: ChainView;
  readonly events: readonly ProtocolEvent[];
  readonly myNodeId: string | undefined;
  readonly peers: readonly PeerView[];
}

export function liveModel(inp: LiveInput): LiveModel {
  const { chain } = inp;
  const ids = chain.committee.map((m) => m.nodeId);
  const indexOf = new Map(ids.map((id, i) => [id, i]));
  const peerBy = new Map(inp.peers.map((p) => [p.nodeId, p]));
  const myIndex = chain.myIndex ?? (inp.myNodeId !== undefined ? (indexOf.get(inp.myNodeId) ?? null) : null);
  const leader = chain.leader ?? null;
  const links: LiveLink[] = ids.map((id, i) => ({
    index: i,
    nodeId: id,
    name: i === myIndex ? 'me' : (peerBy.get(id)?.name ?? id.slice(0, 8)),
    kind: i === myIndex ? 'self' : (peerBy.get(id)?.kind ?? 'none'),
  }));
  const linkOf = (i: number | 'L1' | 'all' | null): LinkKind => (typeof i === 'number' ? (links[i]?.kind ?? 'none') : 'self');

  const members: MemberView[] = chain.committee.map((m, i) => {
    const me = i === myIndex;
    return {
      index: i,
      id: m.nodeId.slice(0, 8),
      up: me || m.up,
      byzantine: null,
      skewMs: 0,
      stage: me ? chain.stage : m.up ? 'peer' : 'down',
      // Every member carries this node's view of the leader: that is the only leader this node knows.
      leader,
      leaderPos: 0,
      permutation: [],
      blockIndex: chain.blockIndex,
      stateHash: me ? chain.stateHash : '',
      backlog: me ? chain.backlog.map((b) => b.requestId) : [],
      synced: true,
      evidence: [],
    };
  });
  const snap: Snapshot = {
    timeMs: 0,
    members,
    l1: { chainUtxo: null, requestUtxos: 0, anchors: chain.anchors.slice(-6).map((a) => ({ txId: a.txId, blockIndex: a.blockIndex, state: a.state })) },
    blocks: chain.blocks.map((b) => ({ blockIndex: b.index, requests: b.requests, anchorTxId: b.stateHash })),
  };

  const mine = inp.events.filter((e) => e.chain === chain.chain && (inp.myNodeId === undefined || e.nodeId === inp.myNodeId)).slice(-LIVE_LINES_MAX);
  const lines: LiveLine[] = [];
  const messages: ClassMessage[] = [];
  let seq = 0;
  for (const e of mine) {
    const peer = e.peer !== undefined ? (indexOf.get(e.peer) ?? null) : null;
    let from: LiveLine['from'] = null;
    let to: LiveLine['to'] = null;
    let direction = e.direction ?? 'local';
    if (FROM_L1.has(e.kind)) {
      from = 'L1';
      to = myIndex;
      direction = 'received';
    } else if (e.kind === 'anchorPosted' && e.direction === undefined) {
      from = myIndex;
      to = 'L1';
      direction = 'sent';
    } else if (direction === 'sent') {
      from = myIndex;
      to = peer ?? 'all';
    } else if (direction === 'received') {
      from = peer;
      to = myIndex;
    }
    const step = stepOfTrace(e.kind, e.text);
    const lineLeader = FROM_LEADER.has(e.kind) && typeof from === 'number' ? from : TO_LEADER.has(e.kind) && typeof to === 'number' ? to : null;
    const label = LABEL[e.kind] ?? e.kind;
    const line: LiveLine = {
      seq: seq++,
      timeMs: e.timeMs,
      kind: e.kind,
      direction,
      from,
      to,
      label,
      step,
      leader: lineLeader,
      stepTitle: step === null ? '' : (SPEC_STEPS[step - 1]?.title ?? ''),
      via: direction === 'sent' ? linkOf(to) : direction === 'received' ? linkOf(from) : 'self',
      text: e.text,
    };
    lines.push(line);
    if (from === null || to === null) continue;
    const targets: (number | 'L1')[] = to === 'all' ? ids.map((_, i) => i).filter((i) => i !== myIndex) : [to];
    for (const t of targets)
      messages.push({
        seq: messages.length,
        from,
        to: t,
        sentAtMs: e.timeMs,
        deliverAtMs: e.timeMs + LIVE_FLIGHT_MS,
        kind: e.kind,
        label,
        fate: 'delivered',
        minor: false,
        detail: [['text', e.text]],
      });
  }
  return { myIndex, leader, n: ids.length, snap, links, messages, lines };
}

/** Who a line is between, in words ("leader #2 → me", "me → all", "L1 → me"). */
export function lineRoute(l: LiveLine, m: Pick<LiveModel, 'myIndex'>): string {
  const who = (a: LiveLine['from'] | LiveLine['to']): string => {
    if (a === null) return '';
    if (a === 'L1' || a === 'all') return a;
    const base = a === m.myIndex ? 'me' : `#${a}`;
    return a === l.leader && a !== m.myIndex ? `leader ${base}` : base;
  };
  if (l.from === null && l.to === null) return 'me (local)';
  return `${who(l.from) || '?'} → ${who(l.to) || '?'}`;
}
