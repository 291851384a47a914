/// <reference lib="webworker" />
/**
 * The VM determinism self-test in a module worker: the fixed workload of src/vm/selftest-workload.ts three
 * times (a repeat, and one without wasm instance reuse, must equal the first exactly), then the engine stack probe. The contracts are the committed
 * builds in contracts/build, shipped as assets.
 */
import counterUrl from '../../contracts/build/counter.wasm?url';
import fairrouletteUrl from '../../contracts/build/fairroulette.wasm?url';
import donatewithfeedbackUrl from '../../contracts/build/donatewithfeedback.wasm?url';
import tokenregistryUrl from '../../contracts/build/tokenregistry.wasm?url';
import misbehaveUrl from '../../contracts/build/misbehave.wasm?url';
import { runSelftestWorkload, SELFTEST_CONTRACTS, type SelftestContract, type SelftestWasm } from '../vm/selftest-workload';
import { probeStack } from '../vm/selftest-stack';
import type { FromSelftestWorker, ToSelftestWorker } from './vm-selftest-bridge';

declare const self: DedicatedWorkerGlobalScope;

const URLS: Record<SelftestContract, string> = {
  counter: counterUrl,
  fairroulette: fairrouletteUrl,
  donatewithfeedback: donatewithfeedbackUrl,
  tokenregistry: tokenregistryUrl,
  misbehave: misbehaveUrl,
};

async function loadContracts(): Promise<SelftestWasm> {
  const entries = await Promise.all(
    SELFTEST_CONTRACTS.map(async (c) => {
      const r = await fetch(URLS[c]);
      if (!r.ok) throw new Error(`${c}.wasm: HTTP ${r.status}`);
      return [c, new Uint8Array(await r.arrayBuffer())] as const;
    }),
  );
  return Object.fromEntries(entries) as unknown as SelftestWasm;
}

function post(m: FromSelftestWorker): void {
  self.postMessage(m);
}

self.onmessage = (ev: MessageEvent<ToSelftestWorker>) => {
  if (ev.data.t !== 'run') return;
  loadContracts()
    .then((wasm) => {
      const t0 = performance.now();
      const report = runSelftestWorkload(wasm);
      const workloadMs = performance.now() - t0;
      const again = runSelftestWorkload(wasm);
      const repeatIdentical = JSON.stringify(again) === JSON.stringify(report);
      const fresh = runSelftestWorkload(wasm, { freshInstances: true });
      const freshIdentical = JSON.stringify(fresh) === JSON.stringify(report);
      post({ t: 'done', result: { report, repeatIdentical, freshIdentical, stack: probeStack(), workloadMs } });
    })
    .catch((e: unknown) => post({ t: 'error', message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) }));
};
