/// <reference lib="webworker" />
/**
 * The classroom's worker: a whole committee plus the L1 ledger in one worker, as the deterministic simulator
 * runs them (src/sim/classroom.ts over src/sim/sim.ts). It owns no clock of its own: it advances virtual
 * time only when the page asks, and answers with event-log slices and snapshots.
 */
import { ClassroomEngine } from '../sim/classroom';
import { CLASSROOM_SLICE_STEPS, type FromClassroomWorker, type ToClassroomWorker } from './classroom-bridge';

declare const self: DedicatedWorkerGlobalScope;

let gen = -1;
let engine: Promise<ClassroomEngine> | null = null;
let targetMs = 0;
let pumping = false;
let counterWasm: Promise<Uint8Array> | null = null;

/** The wasm counter contract, built by `npm run build:contracts` and shipped as an asset (fetched once). */
function loadCounterWasm(): Promise<Uint8Array> {
  counterWasm ??= fetch(new URL('../../contracts/build/counter.wasm', import.meta.url)).then(async (r) => {
    if (!r.ok) throw new Error(`counter.wasm: HTTP ${r.status} (run npm run build:contracts)`);
    return new Uint8Array(await r.arrayBuffer());
  });
  return counterWasm;
}

function post(m: FromClassroomWorker): void {
  self.postMessage(m);
}

self.onmessage = (ev: MessageEvent<ToClassroomWorker>) => {
  const m = ev.data;
  if (m.t === 'load') {
    gen = m.gen;
    targetMs = 0;
    const scenario = m.scenario;
    engine = scenario.workload === 'counter' ? loadCounterWasm().then((w) => ClassroomEngine.create(scenario, { browser: true, counterWasm: w })) : ClassroomEngine.create(scenario, { browser: true });
    engine.catch((e: unknown) => post({ t: 'error', gen: m.gen, message: e instanceof Error ? e.message : String(e) }));
    void pump();
  } else if (m.t === 'advance' && m.gen === gen) {
    targetMs = Math.max(targetMs, m.toMs);
    void pump();
  }
};

/** Runs toward targetMs in small slices, yielding between them so a new 'load' or 'advance' is seen at once. */
async function pump(): Promise<void> {
  if (pumping) return;
  pumping = true;
  try {
    for (;;) {
      const g = gen;
      const e = engine ? await engine : null;
      if (!e || g !== gen) {
        if (g !== gen) continue;
        return;
      }
      const first = e.timeMs === 0;
      if (!first && (e.finished || e.timeMs >= targetMs)) return;
      const slice = await e.advanceTo(first ? Math.max(targetMs, 1) : targetMs, CLASSROOM_SLICE_STEPS);
      if (g !== gen) continue;
      post({ t: 'slice', gen: g, slice });
      await new Promise<void>((r) => setTimeout(r, 0));
    }
  } catch (err) {
    post({ t: 'error', gen, message: err instanceof Error ? err.message : String(err) });
  } finally {
    pumping = false;
  }
}
