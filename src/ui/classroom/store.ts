import { roundStep, SCENARIO_LIMITS, type ClassEvent, type ClassMessage, type ClassResult, type Scenario, type ScriptFault, type Slice, type Snapshot } from '../../sim/classroom-model';
import type { FromClassroomWorker, ToClassroomWorker } from '../../worker/classroom-bridge';
import { eventCursorAt, nextEvent, prevEvent, SPEED_MAX, SPEED_MIN, VIRTUAL_MS_PER_WALL_MS_AT_1X } from './view';

/** How far ahead of the view the worker is asked to run (virtual ms). */
const LOOKAHEAD_MS = 600;

/**
 * The page's copy of the model's output plus the view state (time, speed, selection). The model lives in the
 * worker; this store only collects its event-log slices and moves the view time with the wall clock.
 * Seeking back is a view change (the log up to the newest computed time is kept); changing the script
 * (a fault) reloads the scenario and the worker replays it from the seed up to the current view time.
 */
export class ClassroomStore {
  scenario: Scenario;
  tourId: string | null;
  gen = 0;
  events: ClassEvent[] = [];
  messages: ClassMessage[] = [];
  snapshots: Snapshot[] = [];
  computedMs = 0;
  finished = false;
  result: ClassResult | null = null;
  error: string | null = null;
  viewMs = 0;
  /** Event the narration is on (-1: none yet). Follows the view time while playing. */
  cursor = -1;
  playing = false;
  speed = 1;
  showMinor = false;
  selectedMember: number | null = null;
  selectedMessage: number | null = null;
  version = 0;
  /** True when the narration follows the view time (play, seek); false after stepping to a given event. */
  private cursorFollowsView = true;
  private readonly listeners = new Set<() => void>();
  private lastAsk = -1;
  /** New data arrived while playing: the next animation frame renders it (one render per frame at most). */
  private dirty = false;

  constructor(
    private readonly worker: Worker,
    scenario: Scenario,
    tourId: string | null,
  ) {
    this.scenario = scenario;
    this.tourId = tourId;
    worker.onmessage = (ev: MessageEvent<FromClassroomWorker>) => this.onWorker(ev.data);
    this.load(scenario, tourId, 0);
  }

  subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };
  getVersion = (): number => this.version;

  private changed(): void {
    this.version++;
    for (const l of this.listeners) l();
  }

  private send(m: ToClassroomWorker): void {
    this.worker.postMessage(m);
  }

  /** Loads a scenario (new seed, tour, or changed script) and replays it up to `keepViewMs`. */
  load(scenario: Scenario, tourId: string | null, keepViewMs: number): void {
    this.gen++;
    this.scenario = scenario;
    this.tourId = tourId;
    this.events = [];
    this.messages = [];
    this.snapshots = [];
    this.computedMs = 0;
    this.finished = false;
    this.result = null;
    this.error = null;
    this.viewMs = keepViewMs;
    this.cursor = -1;
    this.cursorFollowsView = true;
    this.lastAsk = -1;
    this.selectedMessage = null;
    this.send({ t: 'load', gen: this.gen, scenario });
    this.ask(keepViewMs + LOOKAHEAD_MS);
    this.changed();
  }

  /** Asks the worker to run to `toMs`; while playing, only when the lookahead has shrunk by half (one message per ~300 virtual ms, not per frame). */
  private ask(toMs: number): void {
    if (this.finished || toMs <= this.lastAsk) return;
    if (this.playing && this.lastAsk - this.viewMs > (toMs - this.viewMs) / 2) return;
    this.lastAsk = toMs;
    this.send({ t: 'advance', gen: this.gen, toMs });
  }

  private onWorker(m: FromClassroomWorker): void {
    if (m.gen !== this.gen) return;
    if (m.t === 'error') {
      this.error = m.message;
      this.playing = false;
      this.changed();
      return;
    }
    this.absorb(m.slice);
  }

  private absorb(s: Slice): void {
    for (const e of s.events) this.events.push(e);
    for (const x of s.messages) this.messages.push(x);
    for (const x of s.snapshots) this.snapshots.push(x);
    this.computedMs = s.timeMs;
    this.finished = s.finished;
    this.result = s.result;
    // A seek past the end of the scenario lands on its last moment once the model knows where that is.
    if (this.finished && this.viewMs > this.computedMs) this.viewMs = this.computedMs;
    if (this.cursorFollowsView || this.cursor < 0) this.cursor = eventCursorAt(this.events, this.viewMs);
    if (this.playing) this.dirty = true;
    else this.changed();
  }

  /** Largest view time whose picture is complete (a message is known once it is delivered). */
  get safeMs(): number {
    if (this.finished) return this.computedMs;
    const flight = this.scenario.delayMaxMs + 20 + this.scenario.faults.reduce((a, f) => a + (f.kind === 'slowLink' ? f.extraMs : 0), 0);
    return Math.max(0, this.computedMs - flight);
  }

  /* ------------------------------------------------------------ time controls */

  /** Advances the view by `wallMs` of wall time at the current speed (called every animation frame). */
  tick(wallMs: number): void {
    if (!this.playing) return;
    const before = this.viewMs;
    const target = this.viewMs + wallMs * VIRTUAL_MS_PER_WALL_MS_AT_1X * this.speed;
    this.viewMs = Math.max(before, Math.min(target, this.safeMs));
    this.cursor = eventCursorAt(this.events, this.viewMs);
    this.ask(this.viewMs + LOOKAHEAD_MS * Math.max(1, this.speed));
    if (this.finished && this.viewMs >= this.computedMs) this.playing = false;
    // Nothing moved (waiting for the model) and nothing arrived: no render this frame.
    if (this.viewMs === before && !this.dirty && this.playing) return;
    this.dirty = false;
    this.changed();
  }

  setPlaying(p: boolean): void {
    this.playing = p;
    this.cursorFollowsView = true;
    if (p) this.ask(this.viewMs + LOOKAHEAD_MS);
    this.changed();
  }

  setSpeed(x: number): void {
    this.speed = Math.min(SPEED_MAX, Math.max(SPEED_MIN, x));
    this.changed();
  }

  seek(ms: number): void {
    this.cursorFollowsView = true;
    this.viewMs = Math.max(0, this.finished ? Math.min(ms, this.computedMs) : ms);
    this.cursor = eventCursorAt(this.events, this.viewMs);
    this.ask(this.viewMs + LOOKAHEAD_MS);
    this.changed();
  }

  /** One event forward (or to the next spec step with `stage`). Asks the worker for more if the log ends. */
  step(stage: boolean): void {
    this.playing = false;
    this.cursorFollowsView = false;
    const i = nextEvent(this.events, this.cursor, this.showMinor, stage);
    if (i < 0) {
      this.ask(this.computedMs + LOOKAHEAD_MS);
      this.changed();
      return;
    }
    this.cursor = i;
    this.viewMs = (this.events[i] as ClassEvent).timeMs;
    this.ask(this.viewMs + LOOKAHEAD_MS);
    this.changed();
  }

  back(): void {
    this.playing = false;
    this.cursorFollowsView = false;
    const i = prevEvent(this.events, this.cursor, this.showMinor);
    this.cursor = i;
    this.viewMs = i >= 0 ? (this.events[i] as ClassEvent).timeMs : 0;
    this.changed();
  }

  select(member: number | null, message: number | null): void {
    this.selectedMember = member;
    this.selectedMessage = message;
    this.changed();
  }

  fail(message: string): void {
    this.error = message;
    this.changed();
  }

  setShowMinor(v: boolean): void {
    this.showMinor = v;
    this.changed();
  }

  /* ------------------------------------------------------------ faults become part of the script */

  /** Virtual time a fault clicked now takes effect: the next step boundary after the view time. */
  get faultTimeMs(): number {
    return roundStep(this.viewMs + 1);
  }

  addFaults(fs: readonly ScriptFault[]): void {
    this.load({ ...this.scenario, faults: [...this.scenario.faults, ...fs] }, this.tourId, this.viewMs);
  }

  /** Room for `k` more requests in the script (SCENARIO_LIMITS.extraRequestsMax). */
  canAddRequests(k: number): boolean {
    return this.scenario.extraRequests.length + k <= SCENARIO_LIMITS.extraRequestsMax;
  }

  /** The classroom wallet posts `k` more requests at the current view time: they join the script and replay. */
  addRequests(k: number): void {
    if (!this.canAddRequests(k)) return;
    const added = Array.from({ length: k }, () => ({ atMs: this.faultTimeMs, unlockAfterMs: 0 }));
    this.load({ ...this.scenario, extraRequests: [...this.scenario.extraRequests, ...added] }, this.tourId, this.viewMs);
  }

  /** Ends open-ended faults (restart a crashed member, heal a partition or link) at the current time. */
  endFaults(indices: readonly number[]): void {
    const at = this.faultTimeMs;
    const faults = this.scenario.faults.map((f, i) => {
      if (!indices.includes(i)) return f;
      if (f.kind === 'crash') return { ...f, restartAtMs: at };
      if (f.kind === 'crashLeader' || f.kind === 'byzantineLeader') return f;
      return { ...f, toMs: at };
    });
    this.load({ ...this.scenario, faults }, this.tourId, this.viewMs);
  }

  /** Scenario parameters that hold from the start (Byzantine members, clock skew, L1 rejections). */
  setParams(p: Partial<Scenario>): void {
    this.load({ ...this.scenario, ...p }, this.tourId, this.viewMs);
  }
}
