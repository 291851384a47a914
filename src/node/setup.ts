import { addressToString, argsOf, equalBytes, fromHex, hname, toHex, utf8, type Address, type Color, type RequestID, type Rng, type TransactionID } from '../protocol';
import { DkgMember, dkgSessionId, type DkgAction, type DkgState, type KeyShare } from '../crypto';
import { blsAddress } from '../crypto/threshold';
import { decodeEnvelope, decodeResponse, DkgPhase, EchoStatus } from '../crypto/dkg/messages';
import { buildOriginTx, buildRequestTx, validateCommittee } from '../chain/deploy';
import { decodeSetupMsg, SETUP_WIRE_LIMITS, type SetupMsg } from '../chain/setup-wire';
import type { BootupRecord, RegistryKeyShare } from '../state/store';
import { H, EP, P } from '../vm/core/names';
import { NodeApiError, type WalletSpender } from './l1-wallet';
import type { ProtocolEventKind } from './types';

/** Bounds and timing of chain setup sessions on one node. */
export const SETUP_LIMITS = {
  /** DKG sessions this node takes part in at once (each holds N² shares and its outbox). */
  sessionsMax: 8,
  /** Frames kept for a session whose invite has not arrived yet (a fast member's deal can overtake it). */
  earlyFramesPerSessionMax: 64,
  earlySessionsMax: 8,
  /** Phase timeout accepted in an invite (the initiator picks it; members refuse absurd values). */
  phaseTimeoutMsMin: 200,
  phaseTimeoutMsMax: 120_000,
  phaseTimeoutMsDefault: 3_000,
  /** Whole deployment (DKG, origin, activation, init) must finish within this, or it fails. */
  deployTimeoutMsDefault: 120_000,
  /** Finished sessions are forgotten this long after they ended (views stay visible meanwhile). */
  retainMs: 600_000,
  /**
   * Setup messages are re-sent (peering is fire-and-forget) every phaseTimeout / resendsPerPhase, so a lost one
   * is re-sent several times within its phase, but never more often than resendMsMin.
   */
  resendsPerPhase: 4,
  resendMsMin: 300,
} as const;

export type DeploymentPhase = DkgState | 'postingOrigin' | 'activating' | 'initializing' | 'activated' | 'deployed';

/** What the dashboard shows of one chain setup (plain data). */
export interface DeploymentView {
  readonly sessionId: string;
  readonly initiator: string;
  readonly isInitiator: boolean;
  readonly members: readonly string[];
  readonly t: number;
  /** This node's committee index, or null when it only initiates. */
  readonly myIndex: number | null;
  readonly phase: DeploymentPhase;
  /** Committee indices whose deal / response / justification / confirmation this node accepted. */
  readonly dealt: readonly number[];
  readonly responded: readonly number[];
  readonly justified: readonly number[];
  readonly confirmed: readonly number[];
  /** Complaints seen in responses: member `by` complained about dealer `against`. */
  readonly complaints: readonly { readonly by: number; readonly against: number; readonly missing: boolean }[];
  readonly qual: readonly number[] | null;
  readonly excluded: readonly { readonly member: number; readonly why: string }[];
  /** Initiator: members that reported a finished DKG / an activated chain. */
  readonly reported: readonly number[];
  readonly activated: readonly number[];
  readonly chainAddress: string | null;
  readonly error: string | null;
}

export interface DeployChainOptions {
  /** Node IDs (hex ed25519 public keys) in committee-index order. */
  readonly committeeNodeIds: readonly string[];
  /** Quorum; default ⌊2N/3⌋+1; must satisfy N/2 < T ≤ N. */
  readonly t?: number;
  readonly description?: string;
  /** The owner's wallet: a key pair (the node spends through its own L1 connection) or a spender. */
  readonly initiatorWallet: WalletSpender;
  readonly phaseTimeoutMs?: number;
  readonly deployTimeoutMs?: number;
  readonly onProgress?: (view: DeploymentView) => void;
}

export interface DeployChainResult {
  readonly chainAddress: Address;
  readonly chainColor: Color;
  readonly sessionId: string;
  readonly qual: readonly number[];
  readonly originTxId: TransactionID;
  /** The root `init` request; block #1 is committed once it is processed. */
  readonly initRequestId: RequestID;
  readonly record: BootupRecord;
}

export interface SetupPorts {
  readonly myNodeId: string;
  /** The node identity's ed25519 secret key (DKG envelopes are signed with it). Secret. */
  readonly secretKey: Uint8Array;
  readonly rng: Rng;
  nowMs(): number;
  send(toNodeId: string, sessionId: Uint8Array, m: SetupMsg): void;
  storeKeyShare(chainAddress: Address, share: RegistryKeyShare): Promise<void>;
  /** Stores the bootup record and starts the committee object. */
  activate(record: BootupRecord, share: RegistryKeyShare): Promise<void>;
  event(kind: ProtocolEventKind, text: string, peer?: string): void;
  /** Policy: take part in a DKG this peer invites us to? (default: yes) */
  acceptInvite(from: string, members: readonly string[], t: number, description: string): boolean;
}

interface Initiation {
  readonly opts: DeployChainOptions;
  readonly resolve: (r: DeployChainResult) => void;
  readonly reject: (e: Error) => void;
  /** Reports by member index: master public key hex and QUAL. */
  readonly reports: Map<number, { mpk: string; qual: readonly number[] }>;
  readonly failures: Map<number, string>;
  readonly activatedBy: Set<number>;
  stage: 'dkg' | 'postingOrigin' | 'activating' | 'initializing' | 'done' | 'failed';
  chainAddress?: Address;
  chainColor?: Color;
  qual?: readonly number[];
}

interface Session {
  readonly id: Uint8Array;
  readonly key: string;
  readonly initiator: string;
  readonly members: readonly string[];
  readonly t: number;
  readonly description: string;
  readonly phaseTimeoutMs: number;
  readonly startedMs: number;
  readonly deadlineMs: number;
  readonly invite: SetupMsg;
  readonly myIndex: number | null;
  readonly member: DkgMember | null;
  /** Every DKG message this member sent (re-sent until the session settles: peering may drop messages). */
  readonly outbox: { to: string; bytes: Uint8Array }[];
  lastResendMs: number;
  doneAtMs: number | null;
  keyShare: KeyShare | null;
  record: BootupRecord | null;
  activated: boolean;
  error: string | null;
  endedMs: number | null;
  readonly seen: { dealt: Set<number>; responded: Set<number>; justified: Set<number>; confirmed: Set<number> };
  readonly complaints: Map<string, { by: number; against: number; missing: boolean }>;
  readonly initiation: Initiation | null;
}

/**
 * Chain deployment driven by the node (spec "Deployment of the contract chain"): committee selection checks, DKG
 * among the committee over peering ('dkg' channel, one `DkgMember` per session ID), the origin transaction and
 * the root `init` request through L1, and activation of every member (bootup record → committee object).
 *
 * Roles: the initiator invites the members; every member runs the DKG, stores its key share in its registry and
 * reports (master key, QUAL) to the initiator; once all members reported the same key (or T did and the phase
 * window passed) the initiator posts the origin transaction (chain color = its ID), tells every member to
 * activate, and posts the init request. A member activates only on the word of the session's initiator, and
 * only a chain address derived from the key its own DKG produced — so it never boots a chain it has no share of.
 * Every message is re-sent on ticks until answered: peering is fire-and-forget.
 */
export class ChainSetup {
  private readonly sessions = new Map<string, Session>();
  private readonly early = new Map<string, { from: string; msg: SetupMsg }[]>();

  constructor(private readonly p: SetupPorts) {}

  views(): DeploymentView[] {
    return [...this.sessions.values()].map((s) => this.view(s));
  }

  /** Initiator entry point. Throws DeployError / NodeApiError synchronously on bad arguments. */
  deploy(opts: DeployChainOptions): Promise<DeployChainResult> {
    const t = validateCommittee(opts.committeeNodeIds, opts.t);
    for (const id of opts.committeeNodeIds) if (!/^[0-9a-f]{64}$/.test(id)) throw new NodeApiError('bad-argument', `committee node ID '${id.slice(0, 16)}' is not a hex ed25519 public key`);
    const description = opts.description ?? '';
    if (utf8(description).length > SETUP_WIRE_LIMITS.descriptionBytesMax) throw new NodeApiError('bad-argument', `description longer than ${SETUP_WIRE_LIMITS.descriptionBytesMax} bytes`);
    const phaseTimeoutMs = opts.phaseTimeoutMs ?? SETUP_LIMITS.phaseTimeoutMsDefault;
    if (!(phaseTimeoutMs >= SETUP_LIMITS.phaseTimeoutMsMin && phaseTimeoutMs <= SETUP_LIMITS.phaseTimeoutMsMax)) throw new NodeApiError('bad-argument', `phase timeout ${phaseTimeoutMs} ms outside ${SETUP_LIMITS.phaseTimeoutMsMin}..${SETUP_LIMITS.phaseTimeoutMsMax}`);
    if (this.sessions.size >= SETUP_LIMITS.sessionsMax) throw new NodeApiError('busy', `${SETUP_LIMITS.sessionsMax} chain setups already running on this node`);
    const requestId = this.p.rng.bytes(32);
    const memberKeys = opts.committeeNodeIds.map(fromHex);
    const invite: SetupMsg = { type: 'invite', requestId, t, members: memberKeys, phaseTimeoutMs, description };
    return new Promise<DeployChainResult>((resolve, reject) => {
      const initiation: Initiation = { opts, resolve, reject, reports: new Map(), failures: new Map(), activatedBy: new Set(), stage: 'dkg' };
      const s = this.open(this.p.myNodeId, invite as Extract<SetupMsg, { type: 'invite' }>, initiation, opts.deployTimeoutMs ?? SETUP_LIMITS.deployTimeoutMsDefault);
      if (!s) return reject(new NodeApiError('bad-argument', 'could not open the DKG session'));
      this.p.event('dkg', `Started chain setup ${s.key.slice(0, 10)}: DKG among ${s.members.length} nodes, quorum ${t}.`);
      for (const m of s.members) if (m !== this.p.myNodeId) this.p.send(m, s.id, invite);
      this.changed(s);
    });
  }

  /** A frame on the 'dkg' channel; `from` is authenticated by the transport. */
  onFrame(from: string, sessionId: Uint8Array, body: Uint8Array): void {
    let msg: SetupMsg;
    try {
      msg = decodeSetupMsg(body);
    } catch {
      return; // malformed: dropped (an authenticated but broken peer cannot harm a session)
    }
    const key = toHex(sessionId);
    const s = this.sessions.get(key);
    if (!s) {
      if (msg.type === 'invite') {
        if (!equalBytes(dkgSessionId(msg.requestId, msg.t, msg.members), sessionId)) return;
        const opened = this.open(from, msg, null, SETUP_LIMITS.deployTimeoutMsDefault);
        if (!opened) return;
        for (const f of this.early.get(key) ?? []) this.onSessionMsg(opened, f.from, f.msg);
        this.early.delete(key);
      } else if (msg.type === 'dkg') {
        // Overtook the invite: keep a few (bounded) until it arrives.
        if (!this.early.has(key) && this.early.size >= SETUP_LIMITS.earlySessionsMax) return;
        const q = this.early.get(key) ?? [];
        if (q.length < SETUP_LIMITS.earlyFramesPerSessionMax) q.push({ from, msg });
        this.early.set(key, q);
      }
      return;
    }
    this.onSessionMsg(s, from, msg);
  }

  tick(): void {
    const now = this.p.nowMs();
    for (const [k, s] of this.sessions) {
      if (s.endedMs !== null) {
        if (now - s.endedMs > SETUP_LIMITS.retainMs) this.sessions.delete(k);
        continue;
      }
      if (now >= s.deadlineMs) {
        // A finished deployment just stops re-sending; anything else ran out of time.
        if (s.initiation?.stage === 'done') s.endedMs = now;
        else this.fail(s, `chain setup not finished within ${s.deadlineMs - s.startedMs} ms`);
        continue;
      }
      if (s.member && s.member.state !== 'done' && s.member.state !== 'failed') this.run(s, s.member.onTick(now));
      if (now - s.lastResendMs >= this.resendMs(s)) {
        s.lastResendMs = now;
        this.resend(s, now);
      }
      const ini = s.initiation;
      if (ini && ini.stage === 'dkg') this.maybeOrigin(s);
    }
  }

  /* ------------------------------------------------------------ sessions */

  private open(initiator: string, invite: Extract<SetupMsg, { type: 'invite' }>, initiation: Initiation | null, deployTimeoutMs: number): Session | null {
    const members = invite.members.map(toHex);
    const id = dkgSessionId(invite.requestId, invite.t, invite.members);
    const key = toHex(id);
    const idx = members.indexOf(this.p.myNodeId);
    if (this.sessions.has(key)) return null;
    if (!initiation) {
      // Invited: only as a member, with sane parameters, within the session bound, if the policy agrees.
      if (idx < 0 || this.sessions.size >= SETUP_LIMITS.sessionsMax) return null;
      if (invite.phaseTimeoutMs < SETUP_LIMITS.phaseTimeoutMsMin || invite.phaseTimeoutMs > SETUP_LIMITS.phaseTimeoutMsMax) return null;
      try {
        validateCommittee(members, invite.t);
      } catch {
        return null;
      }
      if (!this.p.acceptInvite(initiator, members, invite.t, invite.description)) {
        this.p.event('dkg', `Declined a chain setup invitation from ${initiator.slice(0, 8)}.`, initiator);
        return null;
      }
    }
    const now = this.p.nowMs();
    let member: DkgMember | null = null;
    if (idx >= 0) {
      try {
        member = new DkgMember({ sessionId: id, n: members.length, t: invite.t, index: idx, nodeKeys: { secretKey: this.p.secretKey, publicKeys: [...invite.members] }, rng: this.p.rng, phaseTimeoutMs: invite.phaseTimeoutMs });
      } catch (e) {
        this.p.event('dkg', `Cannot join DKG ${key.slice(0, 10)}: ${e instanceof Error ? e.message : String(e)}.`);
        return null;
      }
    }
    const s: Session = {
      id,
      key,
      initiator,
      members,
      t: invite.t,
      description: invite.description,
      phaseTimeoutMs: invite.phaseTimeoutMs,
      startedMs: now,
      deadlineMs: now + deployTimeoutMs,
      invite,
      myIndex: idx >= 0 ? idx : null,
      member,
      outbox: [],
      lastResendMs: now,
      doneAtMs: null,
      keyShare: null,
      record: null,
      activated: false,
      error: null,
      endedMs: null,
      seen: { dealt: new Set(), responded: new Set(), justified: new Set(), confirmed: new Set() },
      complaints: new Map(),
      initiation,
    };
    this.sessions.set(key, s);
    if (!initiation) this.p.event('dkg', `Joined DKG ${key.slice(0, 10)} invited by ${initiator.slice(0, 8)}: member ${idx} of ${members.length}, quorum ${invite.t}.`, initiator);
    if (member) this.run(s, member.start(now));
    return s;
  }

  private onSessionMsg(s: Session, from: string, msg: SetupMsg): void {
    const idx = s.members.indexOf(from);
    const ini = s.initiation;
    switch (msg.type) {
      case 'invite':
        return; // a re-sent invite: we are in already
      case 'dkg': {
        if (!s.member || idx < 0) return;
        const before = s.member.rejections.length;
        const actions = s.member.onMessage(idx, msg.bytes, this.p.nowMs());
        if (s.member.rejections.length === before) this.track(s, idx, msg.bytes);
        this.run(s, actions);
        return;
      }
      case 'done':
        if (!ini || idx < 0 || ini.reports.has(idx)) return;
        ini.reports.set(idx, { mpk: toHex(msg.masterPublicKey), qual: msg.qual });
        this.p.event('dkg', `Member ${idx} finished the DKG (${ini.reports.size} of ${s.members.length} reported).`, from);
        this.maybeOrigin(s);
        this.changed(s);
        return;
      case 'failed':
        if (!ini || idx < 0 || ini.failures.has(idx)) return;
        ini.failures.set(idx, msg.reason);
        this.p.event('dkg', `Member ${idx} reports the DKG failed: ${msg.reason}.`, from);
        if (s.members.length - ini.failures.size < s.t) this.fail(s, `DKG failed on ${ini.failures.size} members (first: ${msg.reason})`);
        this.changed(s);
        return;
      case 'activate':
        if (from !== s.initiator) return;
        void this.activateMember(s, msg.chainAddress, msg.chainColor);
        return;
      case 'activated':
        if (!ini || idx < 0 || ini.activatedBy.has(idx)) return;
        ini.activatedBy.add(idx);
        this.p.event('deploy', `Member ${idx} activated the chain (${ini.activatedBy.size} of ${s.members.length}).`, from);
        this.changed(s);
        return;
    }
  }

  /** Progress for the view, from a DKG message the member accepted (decoded again: the envelope is plain data). */
  private track(s: Session, from: number, bytes: Uint8Array): void {
    try {
      const env = decodeEnvelope(bytes);
      if (env.phase === DkgPhase.Deal) s.seen.dealt.add(from);
      else if (env.phase === DkgPhase.Justification) s.seen.justified.add(from);
      else if (env.phase === DkgPhase.Confirmation) s.seen.confirmed.add(from);
      else if (env.phase === DkgPhase.Response) {
        s.seen.responded.add(from);
        decodeResponse(env.body).echoes.forEach((e, dealer) => {
          if (e.status !== EchoStatus.Ok && dealer !== from) s.complaints.set(`${from}/${dealer}`, { by: from, against: dealer, missing: e.status === EchoStatus.Missing });
        });
      }
    } catch {
      /* the member accepted it, so it decodes; nothing to show otherwise */
    }
    this.changed(s);
  }

  private run(s: Session, actions: DkgAction[]): void {
    for (const a of actions) {
      switch (a.kind) {
        case 'broadcast':
          for (const m of s.members) if (m !== this.p.myNodeId) this.sendDkg(s, m, a.bytes);
          break;
        case 'send': {
          const to = s.members[a.to];
          if (to && to !== this.p.myNodeId) this.sendDkg(s, to, a.bytes);
          break;
        }
        case 'done':
          void this.onDkgDone(s, a.keyShare);
          break;
        case 'failed':
          this.p.event('dkg', `DKG ${s.key.slice(0, 10)} failed here: ${a.reason}.`);
          if (s.initiation) s.initiation.failures.set(s.myIndex as number, a.reason);
          else this.p.send(s.initiator, s.id, { type: 'failed', reason: a.reason });
          this.fail(s, `key generation failed: ${a.reason}`);
          break;
      }
    }
    this.changed(s);
  }

  private sendDkg(s: Session, to: string, bytes: Uint8Array): void {
    s.outbox.push({ to, bytes });
    this.p.send(to, s.id, { type: 'dkg', bytes });
  }

  private async onDkgDone(s: Session, share: KeyShare): Promise<void> {
    s.keyShare = share;
    s.doneAtMs = this.p.nowMs();
    const qual = s.member?.result()?.qual ?? [];
    const chainAddress = blsAddress(share.masterPublicKey);
    // Stored before anyone can use the address: a restart after this keeps the share (never logged).
    await this.p.storeKeyShare(chainAddress, { ...share, publicShares: [...share.publicShares] });
    this.p.event('dkg', `DKG done: QUAL = {${qual.join(', ')}}, chain address ${addressToString(chainAddress).slice(0, 12)}…; key share stored in the registry.`);
    const ini = s.initiation;
    if (ini) {
      ini.reports.set(s.myIndex as number, { mpk: toHex(share.masterPublicKey), qual });
      this.maybeOrigin(s);
    } else this.p.send(s.initiator, s.id, { type: 'done', masterPublicKey: share.masterPublicKey, qual });
    this.changed(s);
  }

  /** Initiator: all members agree (or T do and the DKG window passed) → origin, activation, init. */
  private maybeOrigin(s: Session): void {
    const ini = s.initiation as Initiation;
    if (ini.stage !== 'dkg' || ini.reports.size === 0) return;
    const counts = new Map<string, number>();
    for (const r of ini.reports.values()) counts.set(r.mpk, (counts.get(r.mpk) ?? 0) + 1);
    if (counts.size > 1) return this.fail(s, 'members report different master public keys');
    const [mpk, agree] = [...counts][0] as [string, number];
    const windowOver = this.p.nowMs() >= s.startedMs + 5 * s.phaseTimeoutMs;
    if (agree < s.members.length && !(agree >= s.t && windowOver)) return;
    ini.stage = 'postingOrigin';
    ini.chainAddress = blsAddress(fromHex(mpk));
    ini.qual = [...ini.reports.values()][0]?.qual ?? [];
    this.changed(s);
    void this.deployOnL1(s, ini).catch((e: unknown) => this.fail(s, e instanceof Error ? e.message : String(e)));
  }

  private async deployOnL1(s: Session, ini: Initiation): Promise<void> {
    const chainAddress = ini.chainAddress as Address;
    const wallet = ini.opts.initiatorWallet;
    const originTxId = await wallet.spend((funds) => buildOriginTx(wallet.keyPair, funds, chainAddress, BigInt(this.p.nowMs()) * 1_000_000n));
    ini.chainColor = originTxId;
    ini.stage = 'activating';
    this.p.event('deploy', `Origin transaction ${toHex(originTxId).slice(0, 10)}… confirmed: chain token minted into ${addressToString(chainAddress).slice(0, 12)}….`);
    for (const m of s.members) if (m !== this.p.myNodeId) this.p.send(m, s.id, { type: 'activate', chainAddress, chainColor: originTxId });
    if (s.myIndex !== null) await this.activateMember(s, chainAddress, originTxId);
    this.changed(s);
    const initTxId = await wallet.spend((funds) =>
      buildRequestTx(wallet.keyPair, funds, [{ target: { chainId: chainAddress, hname: H.root }, entryPoint: hname(EP.init), args: argsOf([[P.chainColor, originTxId], [P.description, utf8(s.description)]]) }]),
    );
    ini.stage = 'initializing';
    this.p.event('deploy', `Root init request ${toHex(initTxId).slice(0, 10)}… confirmed on L1; the committee will produce block #1.`);
    // The record every member builds (identical but for myIndex).
    const record: BootupRecord = s.record ?? { chainAddress, chainColor: originTxId, committeeNodeIds: s.members, n: s.members.length, t: s.t, myIndex: null };
    ini.stage = 'done';
    this.changed(s);
    ini.resolve({ chainAddress, chainColor: originTxId, sessionId: s.key, qual: ini.qual ?? [], originTxId, initRequestId: { txId: initTxId, index: 0 }, record });
  }

  private async activateMember(s: Session, chainAddress: Address, chainColor: Color): Promise<void> {
    if (s.activated) {
      if (s.initiator !== this.p.myNodeId) this.p.send(s.initiator, s.id, { type: 'activated', chainAddress });
      return;
    }
    const share = s.keyShare;
    if (!share || s.myIndex === null || s.record) return; // not done yet: the initiator re-sends
    if (!equalBytes(blsAddress(share.masterPublicKey).digest, chainAddress.digest) || blsAddress(share.masterPublicKey).kind !== chainAddress.kind) {
      return this.fail(s, 'activation names a chain address this DKG did not produce');
    }
    const record: BootupRecord = { chainAddress, chainColor, committeeNodeIds: s.members, n: s.members.length, t: s.t, myIndex: s.myIndex };
    s.record = record;
    await this.p.activate(record, { ...share, publicShares: [...share.publicShares] });
    s.activated = true;
    if (s.initiation) s.initiation.activatedBy.add(s.myIndex);
    else {
      this.p.send(s.initiator, s.id, { type: 'activated', chainAddress });
      s.endedMs = this.p.nowMs();
    }
    this.changed(s);
  }

  /* ------------------------------------------------------------ re-sending (fire-and-forget peering) */

  private resendMs(s: Session): number {
    return Math.max(SETUP_LIMITS.resendMsMin, Math.floor(s.phaseTimeoutMs / SETUP_LIMITS.resendsPerPhase));
  }

  private resend(s: Session, now: number): void {
    const ini = s.initiation;
    // DKG messages until our part settled (and one phase more, so late members get our confirmation).
    const dkgLive = s.member && (s.doneAtMs === null ? s.member.state !== 'failed' : now - s.doneAtMs < s.phaseTimeoutMs);
    if (dkgLive) for (const o of s.outbox) this.p.send(o.to, s.id, { type: 'dkg', bytes: o.bytes });
    if (ini) {
      for (const [i, m] of s.members.entries()) {
        if (m === this.p.myNodeId) continue;
        if (ini.stage === 'dkg' && !ini.reports.has(i) && !ini.failures.has(i)) this.p.send(m, s.id, s.invite);
        if ((ini.stage === 'activating' || ini.stage === 'initializing' || ini.stage === 'done') && !ini.activatedBy.has(i) && ini.chainAddress && ini.chainColor)
          this.p.send(m, s.id, { type: 'activate', chainAddress: ini.chainAddress, chainColor: ini.chainColor });
      }
      if (ini.stage === 'done' && ini.activatedBy.size + 1 >= s.members.length) s.endedMs ??= now;
    } else if (s.keyShare && !s.activated) this.p.send(s.initiator, s.id, { type: 'done', masterPublicKey: s.keyShare.masterPublicKey, qual: s.member?.result()?.qual ?? [] });
  }

  private fail(s: Session, reason: string): void {
    if (s.error) return;
    s.error = reason;
    s.endedMs = this.p.nowMs();
    if (s.initiation && s.initiation.stage !== 'done') {
      s.initiation.stage = 'failed';
      s.initiation.reject(new NodeApiError(reason.includes('within') ? 'deploy-timeout' : 'dkg-failed', reason));
    }
    this.p.event('dkg', `Chain setup ${s.key.slice(0, 10)} failed: ${reason}.`);
    this.changed(s);
  }

  private changed(s: Session): void {
    s.initiation?.opts.onProgress?.(this.view(s));
  }

  private view(s: Session): DeploymentView {
    const ini = s.initiation;
    const res = s.member?.result();
    const phase: DeploymentPhase = s.error
      ? 'failed'
      : ini && ini.stage !== 'dkg' && ini.stage !== 'failed'
        ? ini.stage === 'done'
          ? 'deployed'
          : ini.stage
        : s.activated
          ? 'activated'
          : (s.member?.state ?? 'idle');
    const sorted = (x: Set<number>) => [...x].sort((a, b) => a - b);
    const addr = ini?.chainAddress ?? s.record?.chainAddress ?? (s.keyShare ? blsAddress(s.keyShare.masterPublicKey) : null);
    return {
      sessionId: s.key,
      initiator: s.initiator,
      isInitiator: ini !== null,
      members: s.members,
      t: s.t,
      myIndex: s.myIndex,
      phase,
      dealt: sorted(s.seen.dealt),
      responded: sorted(s.seen.responded),
      justified: sorted(s.seen.justified),
      confirmed: sorted(s.seen.confirmed),
      complaints: [...s.complaints.values()],
      qual: res ? res.qual : (ini?.qual ?? null),
      excluded: s.member ? [...s.member.excluded].map(([member, why]) => ({ member, why })) : [],
      reported: ini ? [...ini.reports.keys()].sort((a, b) => a - b) : [],
      activated: ini ? [...ini.activatedBy].sort((a, b) => a - b) : [],
      chainAddress: addr ? addressToString(addr) : null,
      error: s.error,
    };
  }
}
