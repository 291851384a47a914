import { defaultScenario, isByzantineKind, validateScenario, type ClassEvent, type ClassResult, type Scenario, type ScriptFault } from './classroom-model';

/**
 * Traces: the CLI's `npm run sim -- --trace FILE.json` writes `{ config: SimConfig, events: TraceEvent[] }`;
 * the classroom downloads `{ format, scenario, result, events }`. Either one loads back as a Scenario, and the
 * page replays it from the seed (determinism makes the replay the same run, not a re-drawing of the file).
 */
export const CLASSROOM_TRACE_FORMAT = 'iscp-classroom-trace/1';
/** Bigger files are refused before parsing (a trace of a long soak is not a lesson). */
export const TRACE_FILE_BYTES_MAX = 64 * 1024 * 1024;

export class TraceFormatError extends Error {
  override readonly name = 'TraceFormatError';
}

export interface ClassroomTrace {
  readonly format: typeof CLASSROOM_TRACE_FORMAT;
  readonly scenario: Scenario;
  readonly tour: string | null;
  readonly result: ClassResult | null;
  /** In the CLI trace's shape (timeMs, from, to, kind, text) plus the spec step. */
  readonly events: readonly { readonly timeMs: number; readonly from: string; readonly to: string; readonly kind: string; readonly text: string; readonly step: number | null }[];
}

export function classroomTrace(scenario: Scenario, tour: string | null, result: ClassResult | null, events: readonly ClassEvent[]): ClassroomTrace {
  const who = (a: ClassEvent['actor']): string => (typeof a === 'number' ? `node${a}` : a);
  return { format: CLASSROOM_TRACE_FORMAT, scenario, tour, result, events: events.map((e) => ({ timeMs: e.timeMs, from: who(e.actor), to: '', kind: e.kind, text: e.text, step: e.step })) };
}

const num = (v: unknown, d: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : d);

/** A parsed JSON trace (classroom or CLI) → the scenario that replays it. Throws TraceFormatError. */
export function scenarioFromTrace(json: unknown): { scenario: Scenario; tour: string | null; source: 'classroom' | 'cli' } {
  if (typeof json !== 'object' || json === null) throw new TraceFormatError('a trace is a JSON object');
  const o = json as Record<string, unknown>;
  try {
    if (o.format === CLASSROOM_TRACE_FORMAT) return { scenario: validateScenario(o.scenario as Scenario), tour: typeof o.tour === 'string' ? o.tour : null, source: 'classroom' };
    const c = o.config as Record<string, unknown> | undefined;
    if (!c || typeof c !== 'object') throw new TraceFormatError("not a trace: no 'format' (classroom) and no 'config' (npm run sim)");
    const n = num(c.n, 4);
    const base = defaultScenario(num(c.seed, 1), n);
    const net = (c.network ?? {}) as Record<string, unknown>;
    const faults: ScriptFault[] = [];
    for (const k of (c.crashes ?? []) as { index: number; atMs: number; restartAtMs: number }[]) faults.push({ kind: 'crash', index: k.index, atMs: k.atMs, restartAtMs: k.restartAtMs });
    const p = c.partition as { groups: number[][]; fromMs: number; toMs: number } | undefined;
    if (p && p.groups[0]) faults.push({ kind: 'partition', isolate: p.groups[0], fromMs: p.fromMs, toMs: p.toMs });
    const byz = ((c.byzantine ?? []) as { index: number; kind: string }[]).flatMap((b) => (isByzantineKind(b.kind) ? [{ index: b.index, kind: b.kind }] : []));
    const scenario: Scenario = {
      ...base,
      t: num(c.t, base.t),
      requests: num(c.requests, 50),
      // The CLI's default interval (workloads/deposit.ts) when the trace does not name one.
      requestIntervalMs: num(c.requestIntervalMs, 5),
      delayMinMs: num(net.delayMinMs, 0),
      delayMaxMs: num(net.delayMaxMs, 0),
      dropRate: num(net.dropRate, 0),
      byzantine: byz,
      skewMs: Array.isArray(c.clockSkewMs) ? (c.clockSkewMs as number[]) : [],
      faults,
      rejectAnchorBlocks: Array.isArray(c.rejectAnchorBlocks) ? (c.rejectAnchorBlocks as number[]) : [],
      dkg: c.dkg === true,
      workload: c.workload === 'counter' ? 'counter' : 'deposit',
    };
    if (num(net.duplicateRate, 0) > 0) throw new TraceFormatError('duplicate-message faults are not supported by the classroom');
    return { scenario: validateScenario(scenario), tour: null, source: 'cli' };
  } catch (e) {
    if (e instanceof TraceFormatError) throw e;
    throw new TraceFormatError(`trace rejected: ${e instanceof Error ? e.message : String(e)}`);
  }
}
