/**
 * Layer rules (issue #13), checked in CI by `npm run lint:layers` (scripts/test-all.sh). Each folder of src/ is a
 * layer; ALLOWED names the layers its product code may import (tests may drive anything: they run real nodes).
 * The same table is drawn in docs/ARCHITECTURE.md. A wrong import fails with the rule's name and this comment.
 */
const ALLOWED = {
  protocol: [],
  crypto: ['protocol'],
  state: ['protocol'],
  vm: ['protocol', 'state', 'crypto'],
  ledger: ['protocol', 'crypto'],
  nodeconn: ['protocol', 'crypto', 'ledger'],
  consensus: ['protocol', 'crypto', 'state', 'vm'],
  chain: ['protocol', 'crypto', 'state', 'vm', 'consensus', 'nodeconn'],
  node: ['protocol', 'crypto', 'state', 'vm', 'consensus', 'chain', 'nodeconn'],
  net: ['protocol'],
  store: ['protocol', 'state'],
  hub: ['protocol', 'crypto', 'ledger', 'nodeconn'],
  sim: ['protocol', 'crypto', 'state', 'vm', 'ledger', 'nodeconn', 'consensus', 'chain', 'node'],
  worker: ['protocol', 'crypto', 'state', 'vm', 'consensus', 'chain', 'node', 'nodeconn', 'net', 'store', 'sim'],
  cli: ['protocol', 'crypto', 'state', 'vm', 'consensus', 'chain', 'node', 'nodeconn', 'net', 'hub', 'worker', 'store'],
  ui: ['protocol', 'worker', 'sim', 'net'],
};
const TESTS = '(\\.test\\.tsx?|\\.fixture\\.ts|\\.compliance\\.ts|/testkit\\.ts)$';
const layers = Object.keys(ALLOWED);

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'an import cycle: move the shared part down a layer', from: {}, to: { circular: true } },
    { name: 'no-unknown-layer', severity: 'error', comment: 'a new folder in src/ needs a row in ALLOWED (.dependency-cruiser.cjs) and docs/ARCHITECTURE.md', from: { path: '^src/', pathNot: `^src/(${layers.join('|')})/|^src/[^/]+$|${TESTS}` }, to: {} },
    {
      name: 'sim-engine-knows-no-fault',
      severity: 'error',
      comment: 'src/sim/engine.ts (and observer.ts, network.ts) run the clock and network only: faults, Byzantine behaviours, invariants and workloads plug in through EngineParts (sim.ts wires them), never the other way round',
      from: { path: '^src/sim/(engine|observer|network)\\.ts$' },
      to: { path: '^src/sim/(sim|faults|byzantine|invariants|slot-store|deployment|classroom[^/]*)\\.ts$|^src/sim/workloads/' },
    },
    {
      name: 'classroom-through-public-sim',
      severity: 'error',
      comment: 'the classroom watches a run through Simulation and its SimObserver hooks (sim.ts, observer.ts), not the engine or its parts (issue #13: composition, not a subclass)',
      from: { path: '^src/sim/classroom[^/]*\\.ts$', pathNot: TESTS },
      to: { path: '^src/sim/(engine|faults|byzantine|invariants|slot-store|deployment)\\.ts$|^src/sim/workloads/' },
    },
    ...layers.map((layer) => ({
      name: `layer-${layer}`,
      severity: 'error',
      comment: `src/${layer} may import only ${ALLOWED[layer].length ? ALLOWED[layer].map((l) => `src/${l}`).join(', ') : 'packages'} (its README says why); move what both need down a layer`,
      from: { path: `^src/${layer}/`, pathNot: TESTS },
      to: { path: '^src/', pathNot: `^src/(${[layer, ...ALLOWED[layer]].join('|')})/` },
    })),
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|contracts/build)' },
  },
};
