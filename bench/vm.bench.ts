/**
 * VM figures: per-call overhead of a view (native vs wasm), counter requests/s through runBatch in batches of
 * 100 (wasm and native), and the ratio to a direct TypeScript call doing the same work.
 */
import { readFileSync } from 'node:fs';
import { blake2b256, hname, utf8, type RequestID } from '../src/protocol';
import { createRegistry, decU64, Dict, encU64, NativeProcessor, nativeProgramHash, runBatch, type VMRequest } from '../src/vm/index';
import { Solo, type SoloChain } from '../src/vm/solo/solo';
import { setInstanceReuse } from '../src/vm/wasm/index';
import { median, timeRuns, type BenchResult } from './types';

const BATCH = 100;

const nativeCounter = new NativeProcessor('ncounter', {
  increment: {
    fn: (ctx) => {
      const v = ctx.state.get(utf8('counter'));
      const c = (v ? decU64(v) : 0n) + ctx.params.optU64('n', 1n);
      ctx.state.set(utf8('counter'), encU64(c));
      ctx.event(`counter = ${c}`);
    },
  },
  getCounter: { view: true, fn: (ctx) => new Dict().set('counter', ctx.state.get(utf8('counter')) ?? encU64(0n)) },
});

function setup(): SoloChain {
  const registry = createRegistry().registerNative(nativeCounter);
  const ch = Solo.newChain({ registry });
  const wasm = new Uint8Array(readFileSync(new URL('../contracts/build/counter.wasm', import.meta.url)));
  if (!ch.deployContract('counter', wasm).ok) throw new Error('deploy counter failed');
  if (!ch.deployProgram('ncounter', nativeProgramHash('ncounter')).ok) throw new Error('deploy ncounter failed');
  return ch;
}

let seq = 0;
function batch(ch: SoloChain, contract: string): VMRequest[] {
  const reqs: VMRequest[] = [];
  for (let i = 0; i < BATCH; i++) {
    const id: RequestID = { txId: blake2b256(utf8(`bench-${seq++}`)), index: 0 };
    reqs.push({ id, sender: ch.owner.agentId, section: { senderContractHname: 0, targetContractID: { chainId: ch.chainId, hname: hname(contract) }, entryPoint: hname('increment'), transfer: new Map(), timelock: 0, args: [] } });
  }
  return reqs;
}

export default async function vmBench(): Promise<BenchResult[]> {
  const ch = setup();
  const out: BenchResult[] = [];

  const viewNative = median(await timeRuns(() => ch.callView('ncounter', 'getCounter'), 700, 50));
  const viewWasm = median(await timeRuns(() => ch.callView('counter', 'getCounter'), 700, 50));
  out.push({ name: 'view call, native', value: viewNative * 1000, unit: 'µs/call' });
  out.push({ name: 'view call, wasm', value: viewWasm * 1000, unit: 'µs/call' });
  out.push({ name: 'view call wasm / native', value: viewWasm / viewNative, unit: 'ratio' });

  const perBatch = async (contract: string) => {
    const times = await timeRuns(() => {
      const res = runBatch({ chainId: ch.chainId, chainColor: ch.chainColor, state: ch.state, requests: batch(ch, contract), timestamp: ch.clock + 1_000_000_000n, entropy: new Uint8Array(32), chainBalances: ch.chainBalances, programs: ch.registry });
      if (res.receipts.some((r) => !r.ok)) throw new Error('bench request failed');
    }, 1500, 5);
    return median(times);
  };
  // CPU time of this process per batch: on a shared machine wall time also counts other processes' turns.
  const cpuPerBatch = (contract: string, runs = 10) => {
    const c0 = process.cpuUsage();
    for (let i = 0; i < runs; i++) {
      runBatch({ chainId: ch.chainId, chainColor: ch.chainColor, state: ch.state, requests: batch(ch, contract), timestamp: ch.clock + 1_000_000_000n, entropy: new Uint8Array(32), chainBalances: ch.chainBalances, programs: ch.registry });
    }
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / 1000 / runs;
  };
  const wasmMs = await perBatch('counter');
  const nativeMs = await perBatch('ncounter');
  out.push({ name: 'counter via runBatch, wasm', value: (BATCH * 1000) / wasmMs, unit: 'requests/s', parameters: { batch: BATCH, clock: 'wall' } });
  out.push({ name: 'counter via runBatch, native', value: (BATCH * 1000) / nativeMs, unit: 'requests/s', parameters: { batch: BATCH, clock: 'wall' } });
  out.push({ name: 'counter via runBatch, wasm', value: (BATCH * 1000) / cpuPerBatch('counter'), unit: 'requests/s', parameters: { batch: BATCH, clock: 'process cpu' } });
  out.push({ name: 'counter via runBatch, native', value: (BATCH * 1000) / cpuPerBatch('ncounter'), unit: 'requests/s', parameters: { batch: BATCH, clock: 'process cpu' } });
  // The same with a new wasm instance for every call (no reset-and-reuse): what instantiation costs a request.
  setInstanceReuse(false);
  const viewFresh = median(await timeRuns(() => ch.callView('counter', 'getCounter'), 700, 50));
  const freshCpu = (BATCH * 1000) / cpuPerBatch('counter');
  setInstanceReuse(true);
  const reusedCpu = (BATCH * 1000) / cpuPerBatch('counter');
  out.push({ name: 'view call, wasm, fresh instance per call', value: viewFresh * 1000, unit: 'µs/call' });
  out.push({ name: 'counter via runBatch, wasm, fresh instance per call', value: freshCpu, unit: 'requests/s', parameters: { batch: BATCH, clock: 'process cpu' } });
  out.push({ name: 'counter via runBatch, wasm, reused instances (same moment)', value: reusedCpu, unit: 'requests/s', parameters: { batch: BATCH, clock: 'process cpu' } });

  // Baseline: the same increment as a direct TypeScript call on a Map (no sandbox, gas, receipts or hashing).
  const m = new Map<string, bigint>();
  const direct = () => {
    for (let i = 0; i < BATCH; i++) m.set('counter', (m.get('counter') ?? 0n) + 1n);
  };
  const directMs = median(await timeRuns(direct, 300, 50));
  out.push({ name: 'counter direct TS call', value: (BATCH * 1000) / directMs, unit: 'calls/s', parameters: { batch: BATCH } });
  out.push({ name: 'runBatch wasm / direct TS call', value: wasmMs / directMs, unit: 'ratio (time)' });
  return out;
}
