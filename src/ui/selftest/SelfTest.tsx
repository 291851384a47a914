import { useEffect, useState } from 'react';
import type { FromSelftestWorker, SelftestResult } from '../../worker/vm-selftest-bridge';

/**
 * `#/selftest` (hidden): runs the VM determinism workload in a module worker and prints its hashes, per-request
 * gas and outcomes, and the engine stack probe. e2e/vm-determinism.spec.ts compares the digest with Node's.
 */
export function SelfTest() {
  const [result, setResult] = useState<SelftestResult | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const worker = new Worker(new URL('../../worker/vm-selftest.worker.ts', import.meta.url), { type: 'module', name: 'vm selftest' });
    worker.onmessage = (ev: MessageEvent<FromSelftestWorker>) => {
      if (ev.data.t === 'done') setResult(ev.data.result);
      else setError(ev.data.message);
      worker.terminate();
    };
    worker.onerror = (ev) => setError(ev.message || 'worker failed to start');
    worker.postMessage({ t: 'run' });
    return () => worker.terminate();
  }, []);

  const status = error ? 'error' : result ? 'done' : 'running';
  return (
    <main className="page" data-testid="selftest">
      <h1>VM determinism self-test</h1>
      <p>
        Status: <span data-testid="selftest-status">{status}</span>
      </p>
      {error && <p className="error" data-testid="selftest-error">{error}</p>}
      {result && <Report r={result} />}
    </main>
  );
}

function Report({ r }: { r: SelftestResult }) {
  const { report, stack } = r;
  return (
    <>
      <dl>
        <dt>Digest</dt>
        <dd><code data-testid="selftest-digest">{report.digest}</code></dd>
        <dt>Final state hash</dt>
        <dd><code data-testid="selftest-state-hash">{report.finalStateHash}</code></dd>
        <dt>Total gas</dt>
        <dd data-testid="selftest-total-gas">{report.totalGas}</dd>
        <dt>Second run in this worker</dt>
        <dd data-testid="selftest-repeat">{r.repeatIdentical ? 'identical' : 'DIFFERENT'}</dd>
        <dt>Run without wasm instance reuse</dt>
        <dd data-testid="selftest-fresh">{r.freshIdentical ? 'identical' : 'DIFFERENT'}</dd>
        <dt>Workload time</dt>
        <dd>{r.workloadMs.toFixed(0)} ms</dd>
        <dt>Stack probe</dt>
        <dd>
          <code data-testid="selftest-stack">{JSON.stringify(stack)}</code>
        </dd>
      </dl>
      <table>
        <thead>
          <tr><th>block</th><th>block hash</th><th>state hash</th><th>request</th><th>outcome</th><th>gas</th></tr>
        </thead>
        <tbody>
          {report.batches.flatMap((b) =>
            b.requests.map((q, i) => (
              <tr key={`${b.blockIndex}-${i}`} data-testid="selftest-request">
                <td>{i === 0 ? b.blockIndex : ''}</td>
                <td><code>{i === 0 ? b.blockHash.slice(0, 16) : ''}</code></td>
                <td><code>{i === 0 ? b.stateHash.slice(0, 16) : ''}</code></td>
                <td>{q.label}</td>
                <td>{q.ok ? 'ok' : q.error}</td>
                <td>{q.gasUsed}</td>
              </tr>
            )),
          )}
        </tbody>
      </table>
      <h2>Floats (canonicalize policy)</h2>
      <ul>
        {report.floats.map((f) => (
          <li key={f.name}>{f.name}: {f.ok ? f.result : f.kind} (gas {f.gasUsed})</li>
        ))}
      </ul>
      <pre data-testid="selftest-json" hidden>{JSON.stringify(report)}</pre>
    </>
  );
}
