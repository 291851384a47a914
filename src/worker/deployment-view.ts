import type { DeploymentView } from '../node/setup';
import type { DkgView } from './bridge';

/** Words and a progress fraction for each deployment phase of the node (src/node/setup.ts), in the order they pass. */
const PHASES: Readonly<Record<DeploymentView['phase'], { readonly words: string; readonly progress: number }>> = {
  idle: { words: 'waiting for the DKG', progress: 0 },
  deal: { words: 'DKG: dealing shares', progress: 0.1 },
  response: { words: 'DKG: responses', progress: 0.3 },
  justification: { words: 'DKG: justifications', progress: 0.45 },
  confirmation: { words: 'DKG: confirmations', progress: 0.55 },
  done: { words: 'keys ready', progress: 0.65 },
  postingOrigin: { words: 'posting origin', progress: 0.75 },
  activating: { words: 'activating', progress: 0.85 },
  initializing: { words: 'initializing', progress: 0.95 },
  activated: { words: 'activated', progress: 1 },
  deployed: { words: 'activated', progress: 1 },
  failed: { words: 'failed', progress: 0 },
};

/** Phases after which a setup changes no more on this node (the dashboard stops refreshing for it). */
export function isSettled(d: DeploymentView): boolean {
  return d.phase === 'activated' || d.phase === 'deployed' || d.phase === 'failed';
}

/** The dashboard's line for one chain setup this node takes part in (plain data for the bridge). */
export function dkgViewOf(d: DeploymentView): DkgView {
  const p = PHASES[d.phase];
  const n = d.members.length;
  const counts = d.phase === 'deal' || d.phase === 'response' || d.phase === 'justification' || d.phase === 'confirmation' ? ` (${d.dealt.length}/${n} dealt, ${d.responded.length}/${n} responded)` : '';
  return {
    id: d.sessionId.slice(0, 12),
    stage: `${p.words}${counts}`,
    progress: p.progress,
    error: d.error ?? undefined,
    phase: d.phase,
    role: d.isInitiator ? 'initiator' : 'member',
    qual: d.qual ? [...d.qual] : undefined,
    complaints: d.complaints.length,
  };
}
