import { AddressKind, COLOR_IOTA, colorKey, toHex, txIdToString, requestIDToString, addressToString, type ValueTransaction } from '../protocol';
import { decodePeerFrame } from '../chain/wire';
import type { WaspFromNode, WaspToNode } from '../nodeconn/messages';
import type { Actor } from './classroom-model';
import type { SimPayload } from './observer';

/**
 * Pure narration: which spec step an event belongs to, and what a message says in plain words.
 * Everything here reads records; nothing here changes the model.
 */

/** A network payload as the simulator carries it (observer.ts: what the engine's hooks hand over). */
export type { SimPayload };

/** Step of the spec's 14-step consensus for one trace line of the simulator (kind + the node's own sentence). */
export function stepOfTrace(kind: string, text: string): number | null {
  switch (kind) {
    case 'leaderRotation':
    case 'stateTransition':
      return 1;
    case 'requestNotification':
      return 2;
    case 'computationContext':
      return text.startsWith('As leader') ? 3 : 6;
    case 'vmRun':
      return text.startsWith('Running') ? 6 : 7;
    case 'resultAndPartialSig':
      return 9;
    case 'evidence':
      return text.includes('badPartialSignature') ? 11 : 10;
    case 'anchorPosted':
      return text.startsWith('Combined') ? 12 : 13;
    case 'anchorRejected':
      return 13;
    case 'anchorConfirmed':
    case 'syncRequest':
    case 'syncBlock':
      return 14;
    default:
      return null;
  }
}

/** Rewrites the node's terse evidence line so the lesson is named the way the spec names it. */
export function explainTrace(kind: string, actor: string, text: string): string {
  const who = actor.startsWith('node') ? `Member ${actor.slice(4)}` : actor;
  if (kind === 'evidence') {
    const m = /Evidence against member (\d+): (\w+)/.exec(text);
    if (m && m[2] === 'badPartialSignature')
      return `${who} (leader) found a bad partial signature from member ${m[1]}: it does not verify against member ${m[1]}'s public key share, so it is ignored (step 11). ${text}`;
    if (m && m[2] === 'wrongResultHash')
      return `${who} (leader) got a wrong result hash from member ${m[1]}: same context, different result — ignored, and kept as proof of misbehaviour (step 10). ${text}`;
  }
  if (kind === 'leaderRotation' && text.includes('rotating')) return `${who}: ${text} The next member in the permutation takes over (leader timeout).`;
  return `${who}: ${text}`;
}

export interface DecodedMessage {
  readonly kind: string;
  readonly label: string;
  readonly minor: boolean;
  readonly detail: readonly (readonly [string, string])[];
  /** Spec step of the delivery and the sentence said when it arrives. */
  readonly step: number | null;
  readonly arrival: string;
}

const short = (hex: string, n = 12): string => (hex.length > n ? `${hex.slice(0, n)}…` : hex);
const name = (a: Actor): string => (a === 'L1' ? 'L1' : `member ${a}`);

/** Decodes one simulator payload into label, fields and the sentence for its arrival. */
export function decodeMessage(p: SimPayload, from: Actor, to: Actor): DecodedMessage {
  if (p.kind === 'peer') return decodePeer(p.bytes, from, to);
  if (p.kind === 'toL1') return decodeToL1(p.msg, from);
  return decodeFromL1(p.msg, to);
}

function decodePeer(bytes: Uint8Array, from: Actor, to: Actor): DecodedMessage {
  let f;
  try {
    f = decodePeerFrame(bytes);
  } catch (e) {
    return { kind: 'malformed', label: 'malformed', minor: false, detail: [['error', e instanceof Error ? e.message : String(e)]], step: null, arrival: `${name(to)} received a frame it cannot decode from ${name(from)}.` };
  }
  if (f.channel === 'dkg') return { kind: 'dkg', label: 'DKG', minor: false, detail: [['bytes', String(f.body.length)]], step: null, arrival: `${name(to)} received a DKG message from ${name(from)}.` };
  if (f.channel === 'sync') {
    const m = f.msg;
    if (m.kind === 'syncRequest')
      return { kind: 'syncRequest', label: 'sync request', minor: false, detail: [['block index', String(m.blockIndex)]], step: 14, arrival: `${cap(name(to))} got a sync request from ${name(from)} for block #${m.blockIndex}.` };
    if (m.kind === 'chainRecordRequest')
      return { kind: 'syncRequest', label: 'chain record request', minor: false, detail: [], step: null, arrival: `${cap(name(to))} was asked by ${name(from)} who the chain's committee is.` };
    if (m.kind === 'chainRecord')
      return { kind: 'syncRequest', label: 'chain record', minor: false, detail: [['committee', String(m.committeeNodeIds.length)], ['quorum', String(m.t)]], step: null, arrival: `${cap(name(to))} learned the chain's committee from ${name(from)}.` };
    return { kind: 'syncBlock', label: `block #${m.block.blockIndex}`, minor: false, detail: [['block index', String(m.block.blockIndex)], ['state updates', String(m.block.updates.length)]], step: 14, arrival: `${cap(name(to))} received block #${m.block.blockIndex} from ${name(from)} to catch up (sync).` };
  }
  const m = f.msg;
  const round: [string, string][] = [['round: block', `#${m.round.blockIndex + 1}`], ['round: leader position', String(m.round.leaderPos)], ['round: anchor', short(txIdToString(m.round.anchorTxId), 16)]];
  switch (m.kind) {
    case 'requestNotification':
      return { kind: m.kind, label: 'request notification', minor: false, detail: [...round, ['requests', m.requestIds.map((id) => short(requestIDToString(id), 14)).join(', ') || '(none)']], step: 2, arrival: `Leader ${to} learned that ${name(from)} can process ${m.requestIds.length} request(s) (step 2).` };
    case 'computationContext':
      return {
        kind: m.kind,
        label: 'computation context',
        minor: false,
        detail: [...round, ['timestamp (ns)', m.timestamp.toString()], ['reward address', short(addressToString(m.rewardAddress), 16)], ['batch', m.requestIds.map((id) => short(requestIDToString(id), 14)).join(', ')]],
        step: 6,
        arrival: `${cap(name(to))} received the computation context from leader ${from}: ${m.requestIds.length} request(s) to run in exactly the leader's order (step 6a).`,
      };
    case 'resultAndPartialSig':
      return {
        kind: m.kind,
        label: 'result hash + partial sig',
        minor: false,
        detail: [...round, ['context hash', short(toHex(m.contextHash), 24)], ['result hash', short(toHex(m.resultHash), 24)], ['partial signature', short(toHex(m.partialSig), 32)]],
        step: 9,
        arrival: `Leader ${to} received ${name(from)}'s result hash ${short(toHex(m.resultHash))} and partial signature; it compares the hash with its own (step 10) and checks the signature (step 11).`,
      };
    case 'anchorPosted':
      return { kind: m.kind, label: 'anchor posted', minor: false, detail: [...round, ['anchor tx', short(txIdToString(m.anchorTxId), 20)]], step: 13, arrival: `${cap(name(to))} heard from leader ${from} that anchor ${short(txIdToString(m.anchorTxId), 10)} is posted; it waits for L1 to confirm (step 13).` };
  }
}

function decodeToL1(m: WaspToNode, from: Actor): DecodedMessage {
  switch (m.kind) {
    case 'waspToNodeTransaction': {
      const tx = m.tx;
      if (!tx.signatures.some((s) => s.kind === AddressKind.BLS))
        return { kind: 'nodeTx', label: 'transaction', minor: false, detail: txDetail(tx), step: null, arrival: `L1 received a wallet transaction from ${name(from)} (deployment or request).` };
      return { kind: 'anchorTx', label: 'anchor tx', minor: false, detail: txDetail(tx), step: 13, arrival: `L1 received the anchor transaction from leader ${from}, signed by the committee's BLS master key (step 13).` };
    }
    case 'waspToNodeGetTxInclusionLevel':
      return { kind: m.kind, label: 'inclusion?', minor: true, detail: [['tx', short(txIdToString(m.txId), 16)]], step: null, arrival: `L1: ${name(from)} asks whether ${short(txIdToString(m.txId), 10)} is confirmed.` };
    case 'waspToNodeGetConfirmedTransaction':
      return { kind: m.kind, label: 'get tx', minor: true, detail: [['tx', short(txIdToString(m.txId), 16)]], step: null, arrival: `L1: ${name(from)} asks for transaction ${short(txIdToString(m.txId), 10)}.` };
    default:
      return { kind: m.kind, label: m.kind.replace('waspToNode', '').toLowerCase(), minor: true, detail: [], step: null, arrival: `L1 received ${m.kind} from ${name(from)}.` };
  }
}

function decodeFromL1(m: WaspFromNode, to: Actor): DecodedMessage {
  switch (m.kind) {
    case 'waspFromNodeTransactionInclusionState': {
      const txt = m.state === 'rejected' ? `L1 tells ${name(to)}: transaction ${short(txIdToString(m.txId), 10)} was REJECTED (${m.reason}).` : `L1 tells ${name(to)}: transaction ${short(txIdToString(m.txId), 10)} is ${m.state}.`;
      return { kind: m.kind, label: m.state === 'rejected' ? 'anchor rejected' : m.state, minor: m.state !== 'rejected', detail: [['tx', short(txIdToString(m.txId), 16)], ['state', m.state], ['reason', m.reason || '—']], step: m.state === 'rejected' ? 13 : null, arrival: txt };
    }
    case 'waspFromNodeAddressUpdate':
    case 'waspFromNodeConfirmedTransaction': {
      const anchor = m.tx.signatures.some((s) => s.kind === AddressKind.BLS);
      return {
        kind: anchor ? 'anchorConfirmed' : m.kind,
        label: anchor ? 'anchor confirmed' : 'request tx',
        minor: false,
        detail: txDetail(m.tx),
        step: anchor ? 14 : 2,
        arrival: anchor ? `L1 tells ${name(to)} the anchor is confirmed: ${name(to)} commits its pending block (step 14).` : `L1 tells ${name(to)} about a confirmed request transaction: its requests join the backlog.`,
      };
    }
    default:
      return { kind: m.kind, label: 'outputs', minor: true, detail: [], step: null, arrival: `L1 sent ${name(to)} the chain address's outputs.` };
  }
}

function txDetail(tx: ValueTransaction): [string, string][] {
  const out: [string, string][] = [
    ['inputs', String(tx.inputs.length)],
    ['outputs', tx.outputs.map((o) => `${short(addressToString(o.address), 10)}: ${[...o.balances].map(([c, v]) => `${v} ${c === colorKey(COLOR_IOTA) ? 'IOTA' : short(c, 8)}`).join(' + ')}`).join('; ')],
    ['signatures', tx.signatures.map((s) => (s.kind === AddressKind.BLS ? 'BLS (committee)' : 'ed25519')).join(', ')],
  ];
  return out;
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
