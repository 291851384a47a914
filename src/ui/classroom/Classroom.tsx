import { useEffect, useMemo, useRef, useSyncExternalStore } from 'react';
import { defaultScenario, SCENARIO_LIMITS, validateScenario, type ClassMessage, type Scenario } from '../../sim/classroom-model';
import { classroomTrace, scenarioFromTrace, TRACE_FILE_BYTES_MAX } from '../../sim/classroom-trace';
import { TOURS, TOUR_DEFAULT_SEED, tourById } from '../../sim/tours';
import { ClassroomStore } from './store';
import { Picture, consensusView } from './Picture';
import { L1Faults, MemberFaults, MemberPanel, MessagePanel, Narration, StepsLegend, type FaultActions } from './SidePanel';
import { currentStep, inFlight, justArrived, snapshotAt } from './view';
import './classroom.css';

/** The parts of a scenario a user changes by clicking; carried in the URL as `script=` (base64url of ASCII JSON). */
type Script = Pick<Scenario, 'faults' | 'byzantine' | 'skewMs' | 'rejectAnchorBlocks' | 'dkg' | 'workload' | 'extraRequests'>;
const SCRIPT_KEYS = ['faults', 'byzantine', 'skewMs', 'rejectAnchorBlocks', 'dkg', 'workload', 'extraRequests'] as const;
/** Requests the "burst" button posts at once. */
const BURST = 5;
/** A URL is not a file: longer scripts are shared as a downloaded trace instead. */
const SCRIPT_URL_CHARS_MAX = 8_000;

function encodeScript(s: Scenario, base: Scenario): string | null {
  const diff = SCRIPT_KEYS.some((k) => JSON.stringify(s[k]) !== JSON.stringify(base[k]));
  if (!diff) return null;
  const script: Script = { faults: s.faults, byzantine: s.byzantine, skewMs: s.skewMs, rejectAnchorBlocks: s.rejectAnchorBlocks, dkg: s.dkg, workload: s.workload, extraRequests: s.extraRequests };
  const b64 = btoa(JSON.stringify(script)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return b64.length <= SCRIPT_URL_CHARS_MAX ? b64 : null;
}

function decodeScript(b64: string): Partial<Script> {
  const o = JSON.parse(atob(b64.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of SCRIPT_KEYS) if (k in o) out[k] = o[k];
  return out as Partial<Script>;
}

/** Parses `#/classroom?tour=leader-crash&seed=42&n=4[&script=…]`. */
export function parseClassroomHash(hash: string): { tour: string | null; seed: number; n: number; script: string | null } {
  const q = new URLSearchParams(hash.split('?')[1] ?? '');
  const seed = Number(q.get('seed') ?? TOUR_DEFAULT_SEED);
  const n = Number(q.get('n') ?? 4);
  const tour = q.get('tour');
  return {
    tour: tour && tourById(tour) ? tour : null,
    seed: Number.isInteger(seed) && seed >= 0 ? seed : TOUR_DEFAULT_SEED,
    n: Number.isInteger(n) ? Math.min(SCENARIO_LIMITS.nMax, Math.max(SCENARIO_LIMITS.nMin, n)) : 4,
    script: q.get('script'),
  };
}

function scenarioFor(tour: string | null, seed: number, n: number, script: string | null = null): Scenario {
  const t = tour ? tourById(tour) : undefined;
  const base = t ? t.scenario(seed) : defaultScenario(seed, n);
  if (!script) return base;
  try {
    return validateScenario({ ...base, ...decodeScript(script) });
  } catch {
    return base; // a damaged link plays the unscripted scenario rather than nothing
  }
}

function writeHash(tour: string | null, seed: number, n: number, script: string | null = null): void {
  const q = tour ? `tour=${tour}&seed=${seed}` : `seed=${seed}&n=${n}`;
  history.replaceState(null, '', `#/classroom?${q}${script ? `&script=${script}` : ''}`);
}

/** The `#/classroom` page: a whole committee + L1 in one worker, drawn from the event log. */
export function Classroom() {
  const store = useMemo(() => {
    const p = parseClassroomHash(location.hash);
    const worker = new Worker(new URL('../../worker/classroom.worker.ts', import.meta.url), { type: 'module' });
    return new ClassroomStore(worker, scenarioFor(p.tour, p.seed, p.n, p.script), p.tour);
  }, []);
  // The URL always names what plays: tour/seed/n plus the clicked script, so the link replays it exactly.
  useEffect(() => {
    const sc = store.scenario;
    writeHash(store.tourId, sc.seed, sc.n, encodeScript(sc, scenarioFor(store.tourId, sc.seed, sc.n)));
  }, [store, store.gen]);
  useSyncExternalStore(store.subscribe, store.getVersion);
  // Stable handlers so the memoised members and L1 box re-render only when their snapshot changes.
  const on = useMemo(() => ({ member: (i: number | null) => store.select(i, null), message: (seq: number) => store.select(store.selectedMember, seq), l1: () => store.select(-1, null) }), [store]);
  useAnimation(store);
  useKeys(store);
  useHashLoads(store);
  (window as unknown as { __classroom?: ClassroomStore }).__classroom = store;

  const s = store.scenario;
  const snap = snapshotAt(store.snapshots, store.viewMs);
  const flights = inFlight(store.messages, store.viewMs, store.showMinor);
  const arrived = justArrived(store.messages, store.viewMs, 12);
  const { leader, next, blockIndex } = consensusView(snap);
  const step = currentStep(store.events, store.cursor);
  const member = store.selectedMember !== null ? (snap?.members[store.selectedMember] ?? null) : null;
  const msg = store.selectedMessage !== null ? (store.messages[store.selectedMessage] ?? null) : null;
  const lastSig = member ? lastPartialSig(store.messages, member.index, store.viewMs) : null;
  const tour = store.tourId ? tourById(store.tourId) : undefined;
  const act: FaultActions = { atMs: store.faultTimeMs, add: (...f) => store.addFaults(f), end: (...i) => store.endFaults(i), params: (p) => store.setParams(p) };
  const load = (tourId: string | null, seed: number, n: number): void => {
    writeHash(tourId, seed, n);
    store.load(scenarioFor(tourId, seed, n), tourId, 0);
  };
  const waiting = !store.finished && store.viewMs > store.safeMs;

  return (
    <main className="classroom" data-testid="classroom">
      <header className="cr-bar">
        <strong>ISCP classroom</strong>
        <select data-testid="tour-select" value={store.tourId ?? ''} onChange={(e) => load(e.target.value || null, s.seed, s.n)}>
          <option value="">free play</option>
          {TOURS.map((t) => (
            <option key={t.id} value={t.id}>{t.title}</option>
          ))}
        </select>
        <label>
          N{' '}
          <select data-testid="n-select" value={s.n} disabled={store.tourId !== null} onChange={(e) => load(null, s.seed, Number(e.target.value))}>
            {Array.from({ length: SCENARIO_LIMITS.nMax - SCENARIO_LIMITS.nMin + 1 }, (_, i) => i + SCENARIO_LIMITS.nMin).map((n) => (
              <option key={n} value={n}>{n}</option>
            ))}
          </select>{' '}
          T={s.t}
        </label>
        <span data-testid="seed">seed {s.seed}</span>
        <label title="deploy the chain through real DKG (otherwise trusted-dealer keys)">
          <input type="checkbox" data-testid="dkg" checked={s.dkg} onChange={(e) => store.load({ ...s, dkg: e.target.checked }, store.tourId, 0)} /> DKG
        </label>
        <select data-testid="workload" title="what the wallet sends" value={s.workload} onChange={(e) => store.load({ ...s, workload: e.target.value === 'counter' ? 'counter' : 'deposit' }, store.tourId, 0)}>
          <option value="deposit">deposits</option>
          <option value="counter">wasm counter</option>
        </select>
        <button title="restart with a new seed (r)" data-testid="new-seed" onClick={() => load(store.tourId, Math.floor(Math.random() * 1e6), s.n)}>↻ seed</button>
        <span className="cr-spacer" />
        <button onClick={() => store.back()} title="back one event (←)">◀</button>
        <button data-testid="play" onClick={() => store.setPlaying(!store.playing)} title="play / pause (space)">{store.playing ? '❚❚ pause' : '▶ play'}</button>
        <button data-testid="step" onClick={() => store.step(false)} title="step one event (→)">step ▷</button>
        <button data-testid="step-stage" onClick={() => store.step(true)} title="next spec step (↓ or shift+→)">stage ▷▷</button>
        <button data-testid="to-end" onClick={() => store.seek(1e9)} title="jump to the end (End)">end ▷|</button>
        <button data-testid="add-request" disabled={!store.canAddRequests(1)} onClick={() => store.addRequests(1)} title="the classroom wallet posts one more request now">+ request</button>
        <button data-testid="burst" disabled={!store.canAddRequests(BURST)} onClick={() => store.addRequests(BURST)} title={`the classroom wallet posts ${BURST} requests at once now`}>+{BURST} burst</button>
        <label title="speed (+/−)">
          <input type="range" min={-1} max={1} step={0.05} value={Math.log10(store.speed)} onChange={(e) => store.setSpeed(10 ** Number(e.target.value))} data-testid="speed" />
          <span className="cr-speed">{store.speed.toFixed(store.speed < 1 ? 2 : 1)}×</span>
        </label>
      </header>
      <div className="cr-main">
        <section className="cr-stage">
          <Picture
            snap={snap}
            n={s.n}
            flights={flights}
            arrived={arrived}
            selectedMember={store.selectedMember}
            selectedMessage={store.selectedMessage}
            onMember={on.member}
            onMessage={on.message}
            onL1={on.l1}
          />
          <div className="cr-facts">
            <span>
              leader <b data-testid="leader">{leader ?? '—'}</b>
            </span>
            <span>
              next <b data-testid="next-leader">{next ?? '—'}</b>
            </span>
            <span>
              block <b data-testid="block-index">{blockIndex}</b>
            </span>
            <span className={waiting ? 'cr-waiting' : ''} data-testid="model-time">
              {waiting ? `computing… model at ${(store.computedMs / 1000).toFixed(2)} s` : `model at ${(store.computedMs / 1000).toFixed(2)} s`}
            </span>
            {store.result && store.viewMs >= store.computedMs && (
              <span data-testid="result" data-ok={store.result.ok ? 'yes' : 'no'}>
                end: block <b data-testid="final-block">{store.result.blockIndex}</b> state <code data-testid="final-hash" title={store.result.finalStateHash}>{store.result.finalStateHash.slice(0, 12)}</code>
                {store.result.violation && <em className="cr-error"> {store.result.violation}</em>}
              </span>
            )}
            {store.error && <span className="cr-error" data-testid="error">{store.error}</span>}
          </div>
        </section>
        <aside className="cr-side">
          {tour && (
            <div className="cr-tour" data-testid="tour">
              <h3>{tour.title}</h3>
              <ol>
                {tour.lesson.map((l) => (
                  <li key={l}>{l}</li>
                ))}
              </ol>
            </div>
          )}
          <Narration events={store.events} cursor={store.cursor} showMinor={store.showMinor} />
          {msg && <MessagePanel msg={msg as ClassMessage} />}
          {member && <MemberPanel m={member} lastSig={lastSig} />}
          {member && <MemberFaults key={member.index} m={member} scenario={s} act={act} />}
          {store.selectedMember === -1 && <L1Faults scenario={s} snap={snap} act={act} />}
          {!member && !msg && store.selectedMember !== -1 && <StepsLegend step={step} />}
        </aside>
      </div>
      <footer className="cr-timeline">
        <span data-testid="view-time" className="cr-time">{(store.viewMs / 1000).toFixed(3)} s</span>
        <input
          type="range"
          data-testid="timeline"
          min={0}
          max={Math.max(store.computedMs, store.viewMs, 10)}
          step={10}
          value={store.viewMs}
          onChange={(e) => store.seek(Number(e.target.value))}
        />
        <label>
          <input type="checkbox" checked={store.showMinor} onChange={(e) => store.setShowMinor(e.target.checked)} /> L1 chatter
        </label>
        <button data-testid="download-trace" onClick={() => download(store)}>download trace</button>
        <label className="cr-file">
          load trace <input type="file" accept=".json,application/json" data-testid="load-trace" onChange={(e) => void loadTrace(store, e.target.files?.[0])} />
        </label>
        <span className="cr-muted" data-testid="script-count">{s.faults.length + s.byzantine.length + s.rejectAnchorBlocks.length} fault(s) in the script · keys: space ← → ↓ + − End r</span>
      </footer>
    </main>
  );
}

function lastPartialSig(msgs: readonly ClassMessage[], member: number, t: number): ClassMessage | null {
  for (let i = msgs.length - 1; i >= 0; i--) {
    const m = msgs[i] as ClassMessage;
    if (m.from === member && m.kind === 'resultAndPartialSig' && m.sentAtMs <= t) return m;
  }
  return null;
}

/** Wall clock → view time, one requestAnimationFrame at a time (the model never sees the wall clock). */
function useAnimation(store: ClassroomStore): void {
  const last = useRef<number | null>(null);
  useEffect(() => {
    let id = 0;
    const frame = (now: number): void => {
      const dt = last.current === null ? 0 : Math.min(100, now - last.current);
      last.current = now;
      store.tick(dt);
      id = requestAnimationFrame(frame);
    };
    id = requestAnimationFrame(frame);
    return () => cancelAnimationFrame(id);
  }, [store]);
}

function useKeys(store: ClassroomStore): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const tag = (e.target as HTMLElement | null)?.tagName;
      if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA') return;
      if (e.key === ' ') store.setPlaying(!store.playing);
      else if (e.key === 'ArrowRight') store.step(e.shiftKey);
      else if (e.key === 'ArrowDown') store.step(true);
      else if (e.key === 'ArrowLeft') store.back();
      else if (e.key === '+' || e.key === '=') store.setSpeed(store.speed * 1.5);
      else if (e.key === '-') store.setSpeed(store.speed / 1.5);
      else if (e.key === 'End') store.seek(1e9);
      else if (e.key === 'Home') store.seek(0);
      else if (e.key === 'r') {
        const seed = Math.floor(Math.random() * 1e6);
        writeHash(store.tourId, seed, store.scenario.n);
        store.load(scenarioFor(store.tourId, seed, store.scenario.n), store.tourId, 0);
      } else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store]);
}

/** A pasted or followed classroom URL loads its tour/seed (our own writes use replaceState: no event). */
function useHashLoads(store: ClassroomStore): void {
  useEffect(() => {
    const onHash = (): void => {
      if (!location.hash.startsWith('#/classroom')) return;
      const p = parseClassroomHash(location.hash);
      const next = scenarioFor(p.tour, p.seed, p.n, p.script);
      if (p.tour === store.tourId && JSON.stringify(next) === JSON.stringify(store.scenario)) return;
      store.load(next, p.tour, 0);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [store]);
}

function download(store: ClassroomStore): void {
  const trace = classroomTrace(store.scenario, store.tourId, store.result, store.events);
  const blob = new Blob([JSON.stringify(trace)], { type: 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `classroom-seed${store.scenario.seed}${store.tourId ? `-${store.tourId}` : ''}.json`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

async function loadTrace(store: ClassroomStore, file: File | undefined): Promise<void> {
  if (!file) return;
  try {
    if (file.size > TRACE_FILE_BYTES_MAX) throw new Error(`trace file larger than ${TRACE_FILE_BYTES_MAX} bytes`);
    const { scenario, tour } = scenarioFromTrace(JSON.parse(await file.text()) as unknown);
    store.load(scenario, tour, 0);
  } catch (e) {
    store.fail(`could not load the trace: ${e instanceof Error ? e.message : String(e)}`);
  }
}

