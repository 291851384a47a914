import { memo, useState } from 'react';
import { BYZANTINE_KINDS, SPEC_STEPS, type ByzantineKind, type ClassEvent, type ClassMessage, type MemberView, type Scenario, type ScriptFault, type Snapshot } from '../../sim/classroom-model';
import { isShown } from './view';

/** Narration lines shown around the cursor (the newest at the bottom). */
const NARRATION_LINES = 9;

const actorText = (a: ClassEvent['actor']): string => (typeof a === 'number' ? `#${a}` : a);

export const Narration = memo(function Narration({ events, cursor, showMinor }: { events: readonly ClassEvent[]; cursor: number; showMinor: boolean }) {
  const lines: ClassEvent[] = [];
  for (let i = cursor; i >= 0 && lines.length < NARRATION_LINES; i--) {
    const e = events[i] as ClassEvent;
    if (isShown(e, showMinor)) lines.unshift(e);
  }
  return (
    <ol className="cr-narration" data-testid="narration">
      {lines.map((e) => (
        <li key={e.i} className={e.i === cursor ? 'cr-current' : ''} data-kind={e.kind} data-step={e.step ?? ''}>
          <span className="cr-t">{(e.timeMs / 1000).toFixed(2)}s</span>
          {e.step !== null && <span className="cr-step-badge">step {e.step}</span>}
          <span className="cr-actor">{actorText(e.actor)}</span> {e.text}
        </li>
      ))}
    </ol>
  );
});

export const StepsLegend = memo(function StepsLegend({ step }: { step: number | null }) {
  return (
    <ol className="cr-steps" data-testid="steps">
      {SPEC_STEPS.map((s) => (
        <li key={s.step} className={s.step === step ? 'cr-step-on' : ''} data-on={s.step === step ? 'yes' : 'no'}>
          <b>{s.step}</b> {s.title}
        </li>
      ))}
    </ol>
  );
});

export function MemberPanel({ m, lastSig }: { m: MemberView; lastSig: ClassMessage | null }) {
  return (
    <div className="cr-detail" data-testid="member-panel">
      <h3>
        Member #{m.index} <span className="cr-muted">node {m.id}…</span>
      </h3>
      <dl>
        <dt>status</dt>
        <dd>{m.up ? m.stage : 'down (crashed)'}</dd>
        <dt>block / state hash</dt>
        <dd data-testid="member-state-hash">
          #{m.blockIndex} {m.stateHash.slice(0, 16)}…
        </dd>
        <dt>leader it sees</dt>
        <dd>{m.leader === null ? '—' : `#${m.leader} (position ${m.leaderPos})`}</dd>
        <dt>permutation</dt>
        <dd>{m.permutation.join(' → ') || '—'}</dd>
        <dt>backlog ({m.backlog.length})</dt>
        <dd className="cr-mono">{m.backlog.slice(0, 4).join(' ') || 'empty'}</dd>
        <dt>last partial signature</dt>
        <dd className="cr-mono">{lastSig?.detail.find(([k]) => k === 'partial signature')?.[1] ?? '—'}</dd>
        {m.evidence.length > 0 && (
          <>
            <dt>evidence it holds</dt>
            <dd>{m.evidence.slice(-3).join('; ')}</dd>
          </>
        )}
      </dl>
    </div>
  );
}

export function MessagePanel({ msg }: { msg: ClassMessage }) {
  const who = (a: ClassMessage['from']): string => (a === 'L1' ? 'L1' : `#${a}`);
  return (
    <div className="cr-detail" data-testid="message-panel">
      <h3>
        {msg.label} <span className="cr-muted">{who(msg.from)} → {who(msg.to)}</span>
      </h3>
      <dl>
        <dt>sent / delivered</dt>
        <dd>
          {msg.sentAtMs} ms → {msg.deliverAtMs} ms ({msg.fate})
        </dd>
        {msg.detail.map(([k, v]) => (
          <FieldRow key={k} k={k} v={v} />
        ))}
      </dl>
    </div>
  );
}

function FieldRow({ k, v }: { k: string; v: string }) {
  return (
    <>
      <dt>{k}</dt>
      <dd className="cr-mono">{v}</dd>
    </>
  );
}

const BYZANTINE: readonly (ByzantineKind | 'honest')[] = ['honest', ...BYZANTINE_KINDS];

export interface FaultActions {
  readonly atMs: number;
  readonly add: (...f: ScriptFault[]) => void;
  readonly end: (...indices: number[]) => void;
  readonly params: (p: Partial<Scenario>) => void;
}

/** Faults on the selected member: each click adds a timed entry to the scenario script (or a from-the-start parameter). */
export function MemberFaults({ m, scenario, act }: { m: MemberView; scenario: Scenario; act: FaultActions }) {
  const [peer, setPeer] = useState<number | 'L1'>(m.index === 0 ? 1 : 0);
  const openCrash = scenario.faults.findIndex((f) => f.kind === 'crash' && f.index === m.index && f.restartAtMs === undefined);
  const openIso = scenario.faults.findIndex((f) => f.kind === 'partition' && f.isolate.includes(m.index) && f.toMs === undefined);
  const openLink = scenario.faults.findIndex((f) => (f.kind === 'cutLink' || f.kind === 'slowLink') && f.toMs === undefined && ((f.a === m.index && f.b === peer) || (f.b === m.index && f.a === peer)));
  const byz = scenario.byzantine.find((b) => b.index === m.index)?.kind ?? 'honest';
  const skew = scenario.skewMs[m.index] ?? 0;
  const setSkew = (v: number): void => act.params({ skewMs: Array.from({ length: scenario.n }, (_, i) => (i === m.index ? v : (scenario.skewMs[i] ?? 0))) });
  return (
    <div className="cr-faults" data-testid="member-faults">
      <h3>Faults on #{m.index} <span className="cr-muted">(at {act.atMs} ms; part of the script)</span></h3>
      <div className="cr-row">
        {openCrash >= 0 ? (
          <button data-testid="fault-restart" onClick={() => act.end(openCrash)}>Restart</button>
        ) : (
          <button data-testid="fault-crash" onClick={() => act.add({ kind: 'crash', index: m.index, atMs: act.atMs })}>Crash</button>
        )}
        {openIso >= 0 ? (
          <button onClick={() => act.end(openIso)}>Heal partition</button>
        ) : (
          <button data-testid="fault-isolate" onClick={() => act.add({ kind: 'partition', isolate: [m.index], fromMs: act.atMs })}>Partition off</button>
        )}
      </div>
      <div className="cr-row">
        link to
        <select value={String(peer)} onChange={(e) => setPeer(e.target.value === 'L1' ? 'L1' : Number(e.target.value))}>
          {Array.from({ length: scenario.n }, (_, i) => i)
            .filter((i) => i !== m.index)
            .map((i) => (
              <option key={i} value={i}>#{i}</option>
            ))}
          <option value="L1">L1</option>
        </select>
        {openLink >= 0 ? (
          <button onClick={() => act.end(openLink)}>Heal link</button>
        ) : (
          <>
            <button data-testid="fault-cut" onClick={() => act.add({ kind: 'cutLink', a: m.index, b: peer, fromMs: act.atMs })}>Cut</button>
            <button onClick={() => act.add({ kind: 'slowLink', a: m.index, b: peer, extraMs: 150, fromMs: act.atMs })}>Slow +150 ms</button>
          </>
        )}
      </div>
      <div className="cr-row">
        <label>
          Byzantine{' '}
          <select data-testid="fault-byzantine" value={byz} onChange={(e) => act.params({ byzantine: [...scenario.byzantine.filter((b) => b.index !== m.index), ...(e.target.value === 'honest' ? [] : [{ index: m.index, kind: e.target.value as ByzantineKind }])] })}>
            {BYZANTINE.map((k) => (
              <option key={k} value={k}>{k}</option>
            ))}
          </select>
        </label>
        <label>
          clock skew{' '}
          <select value={skew} onChange={(e) => setSkew(Number(e.target.value))}>
            {[-1500, -500, 0, 500, 1500].map((v) => (
              <option key={v} value={v}>{v > 0 ? '+' : ''}{v} ms</option>
            ))}
          </select>
        </label>
      </div>
      <p className="cr-muted">Byzantine behaviour and clock skew are set when the member boots, so they hold from the start; the scenario replays from the seed to the same moment.</p>
    </div>
  );
}

export function L1Faults({ scenario, snap, act }: { scenario: Scenario; snap: Snapshot | null; act: FaultActions }) {
  const nextBlock = Math.max(0, ...(snap?.members ?? []).map((m) => m.blockIndex)) + 1;
  const delaying = scenario.faults.some((f) => f.kind === 'slowLink' && f.b === 'L1' && f.toMs === undefined);
  return (
    <div className="cr-faults" data-testid="l1-faults">
      <h3>Faults on L1</h3>
      <div className="cr-row">
        <button data-testid="fault-reject-anchor" onClick={() => act.params({ rejectAnchorBlocks: [...scenario.rejectAnchorBlocks, nextBlock] })}>
          Reject the anchor of block #{nextBlock}
        </button>
        {delaying ? (
          <button onClick={() => act.end(...scenario.faults.flatMap((f, i) => (f.kind === 'slowLink' && f.b === 'L1' && f.toMs === undefined ? [i] : [])))}>Stop delaying</button>
        ) : (
          <button data-testid="fault-delay-l1" onClick={() => act.add(...Array.from({ length: scenario.n }, (_, i): ScriptFault => ({ kind: 'slowLink', a: i, b: 'L1', extraMs: 400, fromMs: act.atMs })))}>Delay anchors +400 ms</button>
        )}
      </div>
    </div>
  );
}
