import { addressToString } from '../protocol';
import { blsAddress } from '../crypto/threshold';
import type { DeploymentPhase, DeploymentView, Session } from './setup-types';

/**
 * What the dashboard shows of one chain setup: plain data read from the session, its DKG member's own progress
 * record (DkgMember.progress: the view decodes nothing) and, on the initiator, the workflow's stage and reports.
 */
export function sessionView(s: Session): DeploymentView {
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
  const sorted = (x: ReadonlySet<number>) => [...x].sort((a, b) => a - b);
  const progress = s.member?.progress();
  const none: ReadonlySet<number> = new Set();
  const addr = ini?.chainAddress ?? s.record?.chainAddress ?? (s.keyShare ? blsAddress(s.keyShare.masterPublicKey) : null);
  return {
    sessionId: s.key,
    initiator: s.initiator,
    isInitiator: ini !== null,
    members: s.members,
    t: s.t,
    myIndex: s.myIndex,
    phase,
    dealt: sorted(progress?.dealt ?? none),
    responded: sorted(progress?.responded ?? none),
    justified: sorted(progress?.justified ?? none),
    confirmed: sorted(progress?.confirmed ?? none),
    complaints: progress ? [...progress.complaints.values()] : [],
    qual: res ? res.qual : (ini?.qual ?? null),
    excluded: s.member ? [...s.member.excluded].map(([member, why]) => ({ member, why })) : [],
    reported: ini ? [...ini.reports.keys()].sort((a, b) => a - b) : [],
    activated: ini ? [...ini.activatedBy].sort((a, b) => a - b) : [],
    chainAddress: addr ? addressToString(addr) : null,
    error: s.error,
  };
}
