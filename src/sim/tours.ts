import { defaultScenario, type Scenario } from './classroom-model';

/**
 * Guided tours: scripted scenarios as plain data (usable from Node and from the page). A tour plus a seed is a
 * complete script, so `#/classroom?tour=leader-crash&seed=42` always plays the same way. Faults that depend
 * on what happens (which member leads block #2 depends on the seed) are triggers the engine resolves from the
 * run itself, deterministically.
 */
export interface Tour {
  readonly id: string;
  readonly title: string;
  /** What to watch for, in order (shown as the tour's captions). */
  readonly lesson: readonly string[];
  readonly scenario: (seed: number) => Scenario;
}

export const TOUR_DEFAULT_SEED = 42;

export const TOURS: readonly Tour[] = [
  {
    id: 'happy-path',
    title: 'Happy path: four members, a few requests',
    lesson: [
      'After each state transition every member computes the same permutation and knows the leader (step 1).',
      'Members tell the leader which requests they can process (step 2); the leader picks those a quorum has seen (3–4).',
      'The leader sends the computation context; everyone runs the VM on exactly the same batch (5–7).',
      'Members send their result hash and partial signature back (8–9); a quorum of partials becomes one BLS signature (12).',
      'The leader posts the anchor to L1; when L1 confirms it, every member commits its block (13–14).',
    ],
    scenario: (seed) => ({ ...defaultScenario(seed, 4), requests: 4 }),
  },
  {
    id: 'leader-crash',
    title: 'The leader crashes',
    lesson: [
      'The leader of block #3 crashes just after its round starts, with requests waiting.',
      'The others wait for a computation context that never comes; after the leader timeout they rotate (spec: "the leader is rotated upon expiration of timeouts").',
      'The next member in the permutation leads, and the block is produced without the crashed member.',
      'The crashed member restarts from its store and catches up.',
    ],
    scenario: (seed) => ({ ...defaultScenario(seed, 4), requests: 6, faults: [{ kind: 'crashLeader', blockIndex: 3, afterMs: 10, downMs: 3_000 }] }),
  },
  {
    id: 'bad-partial-sig',
    title: 'A member sends a bad partial signature',
    lesson: [
      'Member 3 is Byzantine: it signs the wrong bytes.',
      'When the leader combines partial signatures the master signature does not verify, so it checks each partial (step 11).',
      "Member 3's partial is named as a bad partial signature and ignored; the leader waits for another valid one.",
      'With a quorum of valid partials the block is anchored as usual.',
    ],
    scenario: (seed) => ({ ...defaultScenario(seed, 4), requests: 8, byzantine: [{ index: 3, kind: 'badPartialSig' }] }),
  },
  {
    id: 'anchor-rejected',
    title: 'L1 rejects an anchor',
    lesson: [
      'L1 rejects the first anchor posted for block #2.',
      'Nothing was consumed: the requests stay in the backlog and the round restarts with the next leader.',
      'The second anchor for block #2 is confirmed and every member commits it.',
    ],
    scenario: (seed) => ({ ...defaultScenario(seed, 4), requests: 4, rejectAnchorBlocks: [2] }),
  },
  {
    id: 'member-syncs',
    title: 'A member falls behind and syncs',
    lesson: [
      'Member 0 is cut off from the other members for a while (L1 still reaches it).',
      'The others keep producing blocks with a quorum of 3; member 0 sees the anchors on L1 but has no blocks for them.',
      'When the partition heals, member 0 asks its peers for the missing blocks (sync request) and checks each against its anchor.',
    ],
    scenario: (seed) => ({ ...defaultScenario(seed, 4), requests: 8, requestIntervalMs: 80, faults: [{ kind: 'partition', isolate: [0], fromMs: 400, toMs: 1_400 }] }),
  },
  {
    id: 'time-locked',
    title: 'Time-locked requests',
    lesson: [
      'A request arrives time-locked for 1.5 s.',
      'Members keep it in the backlog but do not offer it to the leader while it is locked by their own clock (step 2).',
      'Once the lock expires, the leader includes it in a batch (step 3b: not time-locked by the leader\'s clock).',
    ],
    scenario: (seed) => ({ ...defaultScenario(seed, 4), requests: 2, extraRequests: [{ atMs: 500, unlockAfterMs: 1_500 }] }),
  },
  {
    id: 'equivocating-leader',
    title: 'An equivocating leader',
    lesson: [
      'The leader of block #2 is Byzantine: it first sends each member a different computation context.',
      'Members compute on different contexts, so their results do not match the leader\'s (step 10).',
      'The round times out or resolves on re-sent contexts; the chain stays consistent.',
    ],
    // Resolved from the run (which member leads block #2 depends on the seed), so every seed shows it.
    scenario: (seed) => ({ ...defaultScenario(seed, 4), requests: 4, faults: [{ kind: 'byzantineLeader', blockIndex: 2, behaviour: 'equivocate' }] }),
  },
];

export function tourById(id: string): Tour | undefined {
  return TOURS.find((t) => t.id === id);
}
