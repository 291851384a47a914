import { addressToString, equalBytes, toHex, type Address, type Color } from '../protocol';
import { DkgMember, dkgSessionId, type DkgAction, type KeyShare } from '../crypto';
import { blsAddress } from '../crypto/threshold';
import { validateCommittee } from '../chain/deploy';
import { decodeSetupMsg, type SetupMsg } from '../chain/setup-wire';
import type { BootupRecord } from '../state/store';
import { NodeApiError } from './l1-wallet';
import { inviteFor, maybeOrigin, onReport, resendInitiator, type SetupFlow } from './setup-initiator';
import { EarlyFrames, resendDkg, resendDone, resendMs, sendDkg } from './setup-relay';
import { SETUP_LIMITS, type DeployChainOptions, type DeployChainResult, type DeploymentView, type Initiation, type Session, type SetupPorts } from './setup-types';
import { sessionView } from './setup-view';

/*
 * Chain setup, in four files: setup.ts (sessions and the member's side, below), setup-initiator.ts (the initiator's
 * workflow), setup-relay.ts (re-sending over fire-and-forget peering, early frames), setup-view.ts (the dashboard
 * view, read from the session and DkgMember.progress). Public types and bounds: setup-types.ts, re-exported here.
 */
export { SETUP_LIMITS, type DeployChainOptions, type DeployChainResult, type DeploymentPhase, type DeploymentView, type SetupPorts } from './setup-types';

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
export class ChainSetup implements SetupFlow {
  private readonly sessions = new Map<string, Session>();
  private readonly early = new EarlyFrames();

  constructor(readonly p: SetupPorts) {}

  views(): DeploymentView[] {
    return [...this.sessions.values()].map(sessionView);
  }

  /** Initiator entry point. Throws DeployError / NodeApiError synchronously on bad arguments. */
  deploy(opts: DeployChainOptions): Promise<DeployChainResult> {
    const invite = inviteFor(this.p, opts, this.sessions.size);
    return new Promise<DeployChainResult>((resolve, reject) => {
      const initiation: Initiation = { opts, resolve, reject, reports: new Map(), failures: new Map(), activatedBy: new Set(), stage: 'dkg' };
      const s = this.open(this.p.myNodeId, invite, initiation, opts.deployTimeoutMs ?? SETUP_LIMITS.deployTimeoutMsDefault);
      if (!s) return reject(new NodeApiError('bad-argument', 'could not open the DKG session'));
      this.p.event('dkg', `Started chain setup ${s.key.slice(0, 10)}: DKG among ${s.members.length} nodes, quorum ${invite.t}.`);
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
        for (const f of this.early.take(key)) this.onSessionMsg(opened, f.from, f.msg);
      } else if (msg.type === 'dkg') {
        // Overtook the invite: keep a few (bounded) until it arrives.
        this.early.hold(key, from, msg);
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
      if (now - s.lastResendMs >= resendMs(s)) {
        s.lastResendMs = now;
        this.resend(s, now);
      }
      const ini = s.initiation;
      if (ini && ini.stage === 'dkg') maybeOrigin(this, s);
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
        // An accepted message is progress the view shows (DkgMember.progress records it): tell the listener.
        if (s.member.rejections.length === before) this.changed(s);
        this.run(s, actions);
        return;
      }
      case 'done':
      case 'failed':
      case 'activated':
        if (!ini || idx < 0) return;
        return onReport(this, s, ini, idx, from, msg);
      case 'activate':
        if (from !== s.initiator) return;
        void this.activateMember(s, msg.chainAddress, msg.chainColor);
        return;
    }
  }

  private run(s: Session, actions: DkgAction[]): void {
    for (const a of actions) {
      switch (a.kind) {
        case 'broadcast':
          for (const m of s.members) if (m !== this.p.myNodeId) sendDkg(this.p, s, m, a.bytes);
          break;
        case 'send': {
          const to = s.members[a.to];
          if (to && to !== this.p.myNodeId) sendDkg(this.p, s, to, a.bytes);
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
      maybeOrigin(this, s);
    } else this.p.send(s.initiator, s.id, { type: 'done', masterPublicKey: share.masterPublicKey, qual });
    this.changed(s);
  }

  /** A member activates only on its initiator's word, and only a chain address its own DKG produced. */
  async activateMember(s: Session, chainAddress: Address, chainColor: Color): Promise<void> {
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

  private resend(s: Session, now: number): void {
    resendDkg(this.p, s, now);
    if (s.initiation) resendInitiator(this.p, s, s.initiation, now);
    else resendDone(this.p, s);
  }

  fail(s: Session, reason: string): void {
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

  changed(s: Session): void {
    s.initiation?.opts.onProgress?.(sessionView(s));
  }
}
