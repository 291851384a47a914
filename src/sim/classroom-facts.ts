import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ClassroomEngine } from './classroom';
import { toSimConfig } from './classroom-sim';
import { Simulation } from './sim';
import { TOURS, tourById } from './tours';
import { defaultScenario, type ClassEvent } from './classroom-model';

/**
 * What each guided tour teaches, computed in Node from the same engine the page runs in its worker: the
 * browser test compares the page's DOM with these (nothing is hard-coded). Also the plain simulator's final
 * state hash for the happy path (Simulation.run, no classroom in between).
 *   npx tsx src/sim/classroom-facts.ts [seed]  → JSON on stdout
 */
export interface TourFacts {
  readonly id: string;
  readonly finalBlock: number;
  readonly finalStateHash: string;
  /** The first event of the tour's lesson (its virtual time and text), if the run shows it. */
  readonly keyEvent: { readonly timeMs: number; readonly text: string } | null;
  /** leader-crash: the crashed leader and who leads block #3 after the rotation. */
  readonly crashedLeader?: number;
  readonly leaderAfterCrash?: number;
  /** happy-path: Simulation.run's own final state hash for the same config. */
  readonly plainSimStateHash?: string;
}

const KEY: Record<string, (e: ClassEvent) => boolean> = {
  'happy-path': (e) => e.kind === 'anchorConfirmed' && e.actor !== 'L1' && e.text.includes('committed block #2'),
  'leader-crash': (e) => e.kind === 'leaderRotation' && e.text.includes('rotating the leader'),
  'bad-partial-sig': (e) => e.kind === 'evidence' && e.text.includes('bad partial signature'),
  'anchor-rejected': (e) => e.kind === 'anchorRejected',
  'member-syncs': (e) => e.kind === 'syncBlock' && e.text.includes('Synced from a peer'),
  'time-locked': (e) => e.kind === 'l1' && e.text.includes('time-locked'),
  'equivocating-leader': (e) => e.kind === 'evidence',
};

export async function tourFacts(id: string, seed: number): Promise<TourFacts> {
  const tour = tourById(id);
  if (!tour) throw new Error(`no tour '${id}'`);
  const scenario = tour.scenario(seed);
  const engine = await ClassroomEngine.create(scenario, { browser: false });
  const events: ClassEvent[] = [];
  const r = await engine.runToEnd((s) => events.push(...s.events));
  const key = events.find(KEY[id] ?? (() => false)) ?? null;
  const facts: TourFacts = { id, finalBlock: r.blockIndex, finalStateHash: r.finalStateHash, keyEvent: key ? { timeMs: key.timeMs, text: key.text } : null };
  if (id === 'leader-crash') {
    const crash = events.find((e) => e.kind === 'fault' && /the leader for block #3, will crash/.test(e.text));
    const crashed = Number(/member (\d+)/.exec(crash?.text ?? '')?.[1]);
    const after = events.find((e) => e.timeMs >= (key?.timeMs ?? 0) && /^Member \d+: Round for block #3: leader is member (\d+) \(position 1/.test(e.text));
    return { ...facts, crashedLeader: crashed, leaderAfterCrash: Number(/leader is member (\d+)/.exec(after?.text ?? '')?.[1]) };
  }
  if (id === 'happy-path') {
    const plain = await new Simulation(toSimConfig(scenario, [], false)).run();
    return { ...facts, plainSimStateHash: plain.finalStateHash };
  }
  return facts;
}

/** Free-play variants the page offers besides the tours: the wasm counter workload and deployment through DKG. */
export async function freePlayFacts(seed: number): Promise<TourFacts[]> {
  const out: TourFacts[] = [];
  const counterWasm = new Uint8Array(readFileSync('contracts/build/counter.wasm'));
  for (const [id, sc] of [
    ['free-counter', { ...defaultScenario(seed, 4), workload: 'counter' as const }],
    ['free-dkg', { ...defaultScenario(seed, 4), dkg: true }],
  ] as const) {
    const r = await (await ClassroomEngine.create(sc, { browser: false, counterWasm })).runToEnd();
    out.push({ id, finalBlock: r.blockIndex, finalStateHash: r.finalStateHash, keyEvent: null });
  }
  return out;
}

async function main(): Promise<void> {
  const seed = Number(process.argv[2] ?? 42);
  const out: TourFacts[] = [];
  for (const t of TOURS) out.push(await tourFacts(t.id, seed));
  out.push(...(await freePlayFacts(seed)));
  process.stdout.write(JSON.stringify(out));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void main();
