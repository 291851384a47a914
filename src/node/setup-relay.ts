import type { SetupMsg } from '../chain/setup-wire';
import { SETUP_LIMITS, type Session, type SetupPorts } from './setup-types';

/*
 * Peering is fire-and-forget: every setup message is re-sent on ticks until it is answered, and a frame that
 * overtakes its session's invite is held (bounded) until the invite arrives. This file is that relay.
 */

/** Re-send period: several times per phase so a lost message is re-sent within it, never more often than resendMsMin. */
export function resendMs(s: Session): number {
  return Math.max(SETUP_LIMITS.resendMsMin, Math.floor(s.phaseTimeoutMs / SETUP_LIMITS.resendsPerPhase));
}

/** A DKG message of this member: sent now and kept in the outbox for re-sending. */
export function sendDkg(p: SetupPorts, s: Session, to: string, bytes: Uint8Array): void {
  s.outbox.push({ to, bytes });
  p.send(to, s.id, { type: 'dkg', bytes });
}

/** The outbox again, until our part settled (and one phase more, so late members get our confirmation). */
export function resendDkg(p: SetupPorts, s: Session, now: number): void {
  const dkgLive = s.member && (s.doneAtMs === null ? s.member.state !== 'failed' : now - s.doneAtMs < s.phaseTimeoutMs);
  if (dkgLive) for (const o of s.outbox) p.send(o.to, s.id, { type: 'dkg', bytes: o.bytes });
}

/** An invited member re-reports its finished DKG until the initiator asks it to activate. */
export function resendDone(p: SetupPorts, s: Session): void {
  if (s.keyShare && !s.activated) p.send(s.initiator, s.id, { type: 'done', masterPublicKey: s.keyShare.masterPublicKey, qual: s.member?.result()?.qual ?? [] });
}

/** DKG frames of sessions whose invite has not arrived yet (a fast member's deal can overtake it), bounded. */
export class EarlyFrames {
  private readonly bySession = new Map<string, { from: string; msg: SetupMsg }[]>();

  hold(key: string, from: string, msg: SetupMsg): void {
    if (!this.bySession.has(key) && this.bySession.size >= SETUP_LIMITS.earlySessionsMax) return;
    const q = this.bySession.get(key) ?? [];
    if (q.length < SETUP_LIMITS.earlyFramesPerSessionMax) q.push({ from, msg });
    this.bySession.set(key, q);
  }

  /** The frames held for a session (now opened), in arrival order; forgotten here. */
  take(key: string): { from: string; msg: SetupMsg }[] {
    const q = this.bySession.get(key) ?? [];
    this.bySession.delete(key);
    return q;
  }
}
