import { DkgMember, dkgSessionId, type DkgAction } from '../crypto';
import { blsAddress, type KeyShare } from '../crypto/threshold';
import { AddressKind, readAddress, writeAddress, type Address } from '../protocol/ids';
import { decodeAll, Writer } from '../protocol/codec';
import { equalBytes, fromHex, toHex } from '../protocol/bytes';
import type { Rng } from '../protocol/rng';
import type { BootupRecord } from '../state/store';
import type { DkgView } from './bridge';

/**
 * Creating a chain from the dashboard (spec "Deployment of the contract chain"): the initiator invites the
 * chosen members; every member runs the verifiable DKG (src/crypto/dkg) over peering; members report their
 * master public key to the initiator, who — once all agree — posts the origin transaction, then tells every
 * member to activate the chain with its bootup record (members activate only on that word, after L1 has
 * confirmed the origin: the chain color is the origin transaction's ID).
 *
 * Messages ride the peer wire's 'dkg' channel; the frame's chain field carries the session ID as a BLS-kind
 * placeholder address (the real address does not exist before the DKG ends).
 */
export const SETUP_LIMITS = {
  /** DKG sessions this node takes part in at once (each holds N² shares). */
  sessionsMax: 8,
  /** A session that has not finished this long after it began is dropped. */
  sessionTimeoutMs: 120_000,
  descriptionBytesMax: 256,
  committeeMax: 64,
} as const;

const INVITE = 1;
const DKG = 2;
const DONE = 3;
const ACTIVATE = 4;

export type SetupMsg =
  | { readonly type: 'invite'; readonly requestId: Uint8Array; readonly t: number; readonly members: readonly Uint8Array[]; readonly description: string }
  | { readonly type: 'dkg'; readonly sessionId: Uint8Array; readonly bytes: Uint8Array }
  | { readonly type: 'done'; readonly sessionId: Uint8Array; readonly masterPublicKey: Uint8Array }
  | { readonly type: 'activate'; readonly sessionId: Uint8Array; readonly chainAddress: Address; readonly chainColor: Uint8Array };

export function encodeSetupMsg(m: SetupMsg): Uint8Array {
  const w = new Writer();
  switch (m.type) {
    case 'invite':
      w.u8(INVITE).fixed(m.requestId, 32).u16(m.t).u16(m.members.length);
      for (const k of m.members) w.fixed(k, 32);
      w.string(m.description);
      break;
    case 'dkg':
      w.u8(DKG).fixed(m.sessionId, 32).bytes(m.bytes);
      break;
    case 'done':
      w.u8(DONE).fixed(m.sessionId, 32).bytes(m.masterPublicKey);
      break;
    case 'activate':
      w.u8(ACTIVATE).fixed(m.sessionId, 32);
      writeAddress(w, m.chainAddress);
      w.fixed(m.chainColor, 32);
      break;
  }
  return w.finish();
}

export function decodeSetupMsg(b: Uint8Array): SetupMsg {
  return decodeAll(b, 'chain setup message', (r): SetupMsg => {
    const type = r.u8('setup type');
    if (type === INVITE) {
      const requestId = r.fixed(32, 'request ID');
      const t = r.u16('t');
      const n = r.u16('n');
      if (n < 1 || n > SETUP_LIMITS.committeeMax) throw new RangeError(`committee of ${n}`);
      const members: Uint8Array[] = [];
      for (let i = 0; i < n; i++) members.push(r.fixed(32, 'member key'));
      return { type: 'invite', requestId, t, members, description: r.string(SETUP_LIMITS.descriptionBytesMax, 'description') };
    }
    const sessionId = r.fixed(32, 'session ID');
    if (type === DKG) return { type: 'dkg', sessionId, bytes: r.bytes(64 * 1024, 'dkg message') };
    if (type === DONE) return { type: 'done', sessionId, masterPublicKey: r.bytes(96, 'master public key') };
    if (type === ACTIVATE) return { type: 'activate', sessionId, chainAddress: readAddress(r), chainColor: r.fixed(32, 'chain color') };
    throw new RangeError(`unknown setup message type ${type}`);
  });
}

/** The placeholder "chain" of a setup frame. */
export function sessionAddress(sessionId: Uint8Array): Address {
  return { kind: AddressKind.BLS, digest: sessionId };
}

interface Session {
  readonly sessionId: Uint8Array;
  readonly initiator: string;
  readonly members: readonly string[];
  readonly t: number;
  readonly description: string;
  readonly member: DkgMember;
  readonly startedMs: number;
  keyShare: KeyShare | undefined;
  stage: string;
  error: string | undefined;
  /** Initiator only: master public keys reported, by member index. */
  readonly reports: Map<number, string>;
  deployed: boolean;
}

export interface SetupPorts {
  readonly myNodeId: string;
  readonly secretKey: Uint8Array;
  readonly rng: Rng;
  nowMs(): number;
  send(toNodeId: string, sessionId: Uint8Array, m: SetupMsg): void;
  /** Initiator: all members hold shares of this chain address; post origin + init and return the chain color. */
  deploy(chainAddress: Address, description: string): Promise<Uint8Array>;
  /** Every member: store the bootup record and key share and start the committee. */
  activate(record: BootupRecord, keyShare: KeyShare): Promise<void>;
  /** The initiator learns that every member activated: post the root init request. */
  initialize(chainAddress: Address, chainColor: Uint8Array, description: string): Promise<void>;
  onChange(): void;
}

export class ChainSetup {
  private readonly sessions = new Map<string, Session>();
  /** Chain creations this node started: resolve with the chain address once activated. */
  private readonly created = new Map<string, { resolve: (a: Address) => void; reject: (e: Error) => void }>();

  constructor(private readonly p: SetupPorts) {}

  /** Starts a chain creation with these members (node IDs, in committee order) and quorum t. */
  create(members: readonly string[], t: number, description: string): Promise<Address> {
    if (!members.includes(this.p.myNodeId)) throw new Error('this node must be a member of the committee it creates');
    const requestId = this.p.rng.bytes(32);
    const invite: SetupMsg = { type: 'invite', requestId, t, members: members.map(fromHex), description };
    const sessionId = dkgSessionId(requestId, t, invite.members);
    const done = new Promise<Address>((resolve, reject) => this.created.set(toHex(sessionId), { resolve, reject }));
    for (const m of members) if (m !== this.p.myNodeId) this.p.send(m, sessionId, invite);
    this.onInvite(this.p.myNodeId, invite);
    return done;
  }

  views(): DkgView[] {
    return [...this.sessions.values()].map((s) => ({
      id: toHex(s.sessionId).slice(0, 12),
      stage: s.error ? 'failed' : s.deployed ? 'activated' : s.stage,
      progress: s.error ? 0 : s.deployed ? 1 : stageProgress(s.member.state),
      error: s.error,
    }));
  }

  onMessage(from: string, body: Uint8Array): void {
    let m: SetupMsg;
    try {
      m = decodeSetupMsg(body);
    } catch {
      return; // malformed: dropped (the sender is authenticated; a broken peer cannot harm the session)
    }
    const now = this.p.nowMs();
    switch (m.type) {
      case 'invite':
        this.onInvite(from, m);
        return;
      case 'dkg': {
        const s = this.sessions.get(toHex(m.sessionId));
        const idx = s?.members.indexOf(from) ?? -1;
        if (s && idx >= 0) this.run(s, s.member.onMessage(idx, m.bytes, now));
        return;
      }
      case 'done': {
        const s = this.sessions.get(toHex(m.sessionId));
        const idx = s?.members.indexOf(from) ?? -1;
        if (s && idx >= 0 && s.initiator === this.p.myNodeId) {
          s.reports.set(idx, toHex(m.masterPublicKey));
          this.maybeDeploy(s);
        }
        return;
      }
      case 'activate': {
        const s = this.sessions.get(toHex(m.sessionId));
        if (s && from === s.initiator) void this.activateMember(s, m.chainAddress, m.chainColor);
        return;
      }
    }
  }

  tick(): void {
    const now = this.p.nowMs();
    for (const [k, s] of this.sessions) {
      if (s.member.state !== 'done' && s.member.state !== 'failed') this.run(s, s.member.onTick(now));
      if (!s.deployed && !s.error && now - s.startedMs > SETUP_LIMITS.sessionTimeoutMs) this.fail(s, 'the chain was not set up within two minutes');
      if ((s.deployed || s.error) && now - s.startedMs > 10 * SETUP_LIMITS.sessionTimeoutMs) this.sessions.delete(k);
    }
  }

  private onInvite(from: string, m: Extract<SetupMsg, { type: 'invite' }>): void {
    const members = m.members.map(toHex);
    const index = members.indexOf(this.p.myNodeId);
    const sessionId = dkgSessionId(m.requestId, m.t, m.members);
    const key = toHex(sessionId);
    if (index < 0 || this.sessions.has(key) || this.sessions.size >= SETUP_LIMITS.sessionsMax) return;
    const now = this.p.nowMs();
    let member: DkgMember;
    try {
      member = new DkgMember({ sessionId, n: members.length, t: m.t, index, nodeKeys: { secretKey: this.p.secretKey, publicKeys: [...m.members] }, rng: this.p.rng });
    } catch (e) {
      this.created.get(key)?.reject(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    const s: Session = { sessionId, initiator: from, members, t: m.t, description: m.description, member, startedMs: now, keyShare: undefined, stage: 'dkg', error: undefined, reports: new Map(), deployed: false };
    this.sessions.set(key, s);
    this.run(s, member.start(now));
    this.p.onChange();
  }

  private run(s: Session, actions: DkgAction[]): void {
    for (const a of actions) {
      switch (a.kind) {
        case 'broadcast':
          for (const m of s.members) if (m !== this.p.myNodeId) this.p.send(m, s.sessionId, { type: 'dkg', sessionId: s.sessionId, bytes: a.bytes });
          break;
        case 'send': {
          const to = s.members[a.to];
          if (to && to !== this.p.myNodeId) this.p.send(to, s.sessionId, { type: 'dkg', sessionId: s.sessionId, bytes: a.bytes });
          break;
        }
        case 'done': {
          s.keyShare = a.keyShare;
          s.stage = 'keys ready';
          const report: SetupMsg = { type: 'done', sessionId: s.sessionId, masterPublicKey: a.keyShare.masterPublicKey };
          if (s.initiator === this.p.myNodeId) {
            s.reports.set(s.members.indexOf(this.p.myNodeId), toHex(a.keyShare.masterPublicKey));
            this.maybeDeploy(s);
          } else this.p.send(s.initiator, s.sessionId, report);
          break;
        }
        case 'failed':
          this.fail(s, `key generation failed: ${a.reason}`);
          break;
      }
    }
    this.p.onChange();
  }

  /** Initiator: once every member reported the same master key, deploy and tell everyone to activate. */
  private maybeDeploy(s: Session): void {
    if (s.stage !== 'keys ready' || s.reports.size < s.members.length || !s.keyShare) return;
    const mine = toHex(s.keyShare.masterPublicKey);
    if ([...s.reports.values()].some((k) => k !== mine)) return this.fail(s, 'members disagree on the chain key');
    s.stage = 'posting origin';
    const chainAddress = blsAddress(s.keyShare.masterPublicKey);
    this.p.onChange();
    void (async () => {
      try {
        const chainColor = await this.p.deploy(chainAddress, s.description);
        s.stage = 'activating';
        this.p.onChange();
        for (const m of s.members) if (m !== this.p.myNodeId) this.p.send(m, s.sessionId, { type: 'activate', sessionId: s.sessionId, chainAddress, chainColor });
        await this.activateMember(s, chainAddress, chainColor);
        await this.p.initialize(chainAddress, chainColor, s.description);
        this.created.get(toHex(s.sessionId))?.resolve(chainAddress);
      } catch (e) {
        this.fail(s, e instanceof Error ? e.message : String(e));
      }
    })();
  }

  private async activateMember(s: Session, chainAddress: Address, chainColor: Uint8Array): Promise<void> {
    if (s.deployed || !s.keyShare) return;
    if (!equalBytes(blsAddress(s.keyShare.masterPublicKey).digest, chainAddress.digest)) return this.fail(s, 'activation names a different chain address');
    const record: BootupRecord = { chainAddress, chainColor, committeeNodeIds: s.members, n: s.members.length, t: s.t, myIndex: s.members.indexOf(this.p.myNodeId) };
    await this.p.activate(record, s.keyShare);
    s.deployed = true;
    s.stage = 'activated';
    this.p.onChange();
  }

  private fail(s: Session, reason: string): void {
    if (s.error) return;
    s.error = reason;
    this.created.get(toHex(s.sessionId))?.reject(new Error(reason));
    this.p.onChange();
  }
}

function stageProgress(state: string): number {
  const order = ['idle', 'deal', 'response', 'justification', 'confirmation', 'done'];
  const i = order.indexOf(state);
  return i < 0 ? 0 : i / (order.length - 1);
}
