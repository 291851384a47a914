import { Simulation } from '../src/sim/sim';
import { StateManager, type StateManagerEvent } from '../src/state/manager';
import { syntheticChain } from '../src/state/manager.fixture';
import { VirtualState } from '../src/state/vstate';
import { bookedOutputBalances } from '../src/consensus/backlog';
import { toHex } from '../src/protocol';
import { median, percentile, type BenchResult } from './types';


/**
 * Consensus figures in the deterministic simulator: real BLS, real VM and L1 ledger, zero network delay. All N
 * nodes run in this one process, so requests/s is the committee's total CPU cost per request (a real committee
 * runs the members in parallel) plus the L1 ledger's and the wallet's; latency is virtual time from posting to L1
 * to committed on every honest node (L1 confirmation delay 50 ms, ticks every 100 ms). Time is measured over the
 * request workload only (after deployment); the per-block split is process CPU time (BLS / VM / the rest in the
 * nodes, L1's signature checks and bookkeeping, the wallet), which a loaded machine distorts less than wall time.
 * The 1,000-requests row posts them all at one virtual instant (interval 0), so batching shows.
 */
async function throughput(n: number, t: number, requests: number, intervalMs: number): Promise<BenchResult[]> {
  const r = await new Simulation({ seed: 100 + n, n, t, requests, requestIntervalMs: intervalMs }).run();
  if (!r.ok || !r.cost) throw new Error(`bench sim failed: ${r.violation} (${r.reproduce})`);
  const c = r.cost;
  const lat = r.latenciesMs.slice(1); // without the root init
  const p = { n, t, requests, intervalMs, blocks: c.blocks };
  const perBlock = (ms: number) => ms / c.blocks;
  const o = c.blsNodeOps;
  const nodesMs = c.cpuMs - c.l1Ms - c.l1VerifyMs - c.clientMs;
  return [
    { name: `requests/s (sim, all ${n} nodes + L1 + wallet in one process, wall clock)`, value: (requests / c.wallMs) * 1000, unit: 'req/s', parameters: p },
    { name: 'requests/s by process CPU time (less noisy on a shared machine)', value: (requests / c.cpuMs) * 1000, unit: 'req/s', parameters: p },
    { name: `requests/s by CPU time of the ${n} nodes + simulator (without L1 and wallet)`, value: (requests / nodesMs) * 1000, unit: 'req/s', parameters: p },
    { name: 'requests per block', value: requests / c.blocks, unit: 'req', parameters: p },
    { name: 'CPU per block: threshold BLS in the nodes', value: perBlock(c.blsNodesMs), unit: 'ms', parameters: { ...p, signs: o.sign / c.blocks, combines: o.combine / c.blocks, masterVerifies: o.verifyMaster / c.blocks, partialVerifies: o.verifyPartial / c.blocks } },
    { name: 'CPU per block: VM (runBatch on every node)', value: perBlock(c.vmMs), unit: 'ms', parameters: p },
    { name: 'CPU per block: nodes + simulator, the rest (codecs, hashing, backlog, state, store, sim)', value: perBlock(c.otherMs), unit: 'ms', parameters: p },
    { name: 'CPU per block: L1 ledger signature checks (ed25519 request txs + BLS anchor)', value: perBlock(c.l1VerifyMs), unit: 'ms', parameters: { ...p, blsVerifies: c.l1BlsVerifies / c.blocks } },
    { name: 'CPU per block: L1 ledger + node connection, the rest (booking, confirming, routing)', value: perBlock(c.l1Ms), unit: 'ms', parameters: p },
    { name: 'CPU per block: wallet building + signing request txs (client)', value: perBlock(c.clientMs), unit: 'ms', parameters: p },
    { name: 'request latency median (virtual)', value: median(lat), unit: 'ms', parameters: p },
    { name: 'request latency p99 (virtual)', value: percentile(lat, 99), unit: 'ms', parameters: p },
  ];
}

async function dkg(n: number, t: number): Promise<BenchResult[]> {
  const r = await new Simulation({ seed: 200 + n, n, t, requests: 0, dkg: true, dkgPhaseTimeoutMs: 1_000 }).run();
  if (!r.ok || !r.deploy) throw new Error(`bench DKG failed: ${r.violation}`);
  const p = { n, t, phaseTimeoutMs: 1_000 };
  return [
    { name: 'deployChain through the node: DKG + origin + activation + block #1 (wall, all nodes in one process)', value: r.deploy.wallMs, unit: 'ms', parameters: p },
    { name: 'deployChain virtual time (DKG phases end early when all messages are in)', value: r.deploy.virtualMs, unit: 'ms', parameters: p },
  ];
}

/** Sync speed of the state manager: a fresh node `behind` blocks behind, peers and L1 answering at once (in memory). */
function sync(behind: number): BenchResult[] {
  const chain = syntheticChain(behind, { updatesPerBlock: 4, valueBytes: 64 });
  const byId = new Map(chain.anchors.map((a) => [toHex(a.txId), a.tx]));
  const sm = new StateManager(chain.chainAddress, chain.chainColor, ['peer'], { state: VirtualState.origin(), anchorTxId: null });
  const tip = chain.anchors[behind] as (typeof chain.anchors)[number];
  const t0 = performance.now();
  const queue: StateManagerEvent[] = [{ kind: 'chainUtxo', nowMs: 0, utxo: { txId: tip.txId, balances: bookedOutputBalances(tip.tx, tip.txId, chain.chainAddress) as Map<string, bigint> } }];
  for (let i = 0; i < queue.length && i < 20 * behind + 100; i++) {
    for (const a of sm.handle(queue[i] as StateManagerEvent)) {
      if (a.kind === 'getTx') {
        const tx = byId.get(toHex(a.txId));
        if (tx) queue.push({ kind: 'transaction', nowMs: 0, tx, txId: a.txId });
      } else if (a.kind === 'syncRequest') queue.push({ kind: 'syncBlock', nowMs: 0, from: 'peer', block: chain.blocks[a.blockIndex] as (typeof chain.blocks)[number] });
    }
  }
  const ms = performance.now() - t0;
  if (sm.state.blockIndex !== behind) throw new Error(`sync bench reached block ${sm.state.blockIndex} of ${behind}`);
  return [{ name: 'state-manager sync (pure, in memory: block + anchor check + apply; no store, no network)', value: (behind / ms) * 1000, unit: 'blocks/s', parameters: { behind, updatesPerBlock: 4, valueBytes: 64 } }];
}

export default async function consensusBench(): Promise<BenchResult[]> {
  return [...(await throughput(4, 3, 200, 2)), ...(await throughput(7, 5, 100, 2)), ...(await throughput(4, 3, 1_000, 0)), ...(await dkg(4, 3)), ...(await dkg(7, 5)), ...sync(1_000)];
}
