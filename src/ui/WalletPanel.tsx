import { useEffect, useRef, useState } from 'react';
import type { HostState, NodeHost } from '../worker/host';
import type { CommandResult, NodeCommand } from '../worker/bridge';
import { plainError } from './errors';
import { startLoad, LOAD_LIMITS, type LoadProgress } from './load';

/** How long a result stays on screen before it clears itself (a new action clears it at once). */
const RESULT_SHOWN_MS = 12_000;

/**
 * Faucet, balance, deposit, post requests (one, N at once, or a steady rate for a while), call a view, upload and
 * deploy a wasm contract. Every box has a visible label; results are shown as fields, not JSON.
 */
export function WalletPanel({ host, state }: { host: NodeHost; state: HostState }) {
  const chains = state.node?.chains ?? [];
  const [chain, setChain] = useState('');
  const [contract, setContract] = useState('counter');
  const [entryPoint, setEntryPoint] = useState('increment');
  const [params, setParams] = useState('');
  const [transfer, setTransfer] = useState('0');
  const [count, setCount] = useState('1');
  const [rate, setRate] = useState('10');
  const [seconds, setSeconds] = useState('10');
  const [viewContract, setViewContract] = useState('counter');
  const [view, setView] = useState('getCounter');
  const [amount, setAmount] = useState('100');
  const [wasmName, setWasmName] = useState('counter');
  const [file, setFile] = useState<File | undefined>();
  const [busy, setBusy] = useState(false);
  const [out, setOut] = useState<{ ok: boolean; text: string; fields?: [string, string][] } | undefined>();
  const [load, setLoad] = useState<LoadProgress | undefined>();
  const stopLoad = useRef<(() => void) | undefined>(undefined);
  const chainId = chain || chains[0]?.chain || '';

  useEffect(() => {
    if (!out) return;
    const t = setTimeout(() => setOut(undefined), RESULT_SHOWN_MS);
    return () => clearTimeout(t);
  }, [out]);
  useEffect(() => () => stopLoad.current?.(), []);

  const run = async (c: () => Promise<NodeCommand>) => {
    setBusy(true);
    setOut(undefined);
    try {
      setOut(shown(await host.command(await c())));
    } catch (e) {
      setOut({ ok: false, text: plainError(e) });
    } finally {
      setBusy(false);
    }
  };
  const parsed = (): Record<string, string> => {
    const o: Record<string, string> = {};
    for (const part of params.split(',').map((s) => s.trim()).filter(Boolean)) {
      const i = part.indexOf('=');
      if (i <= 0) throw new Error(`parameter '${part}' should look like name=value`);
      o[part.slice(0, i).trim()] = part.slice(i + 1).trim();
    }
    return o;
  };
  const post = (): Promise<NodeCommand> => {
    const n = Number(count);
    if (!Number.isInteger(n) || n < 1) throw new Error(`count must be a whole number ≥ 1, got '${count}'`);
    const base = { chain: chainId, contract, entryPoint, params: parsed() };
    return Promise.resolve(n === 1 ? { kind: 'postRequest', ...base, transfer: Number(transfer) || 0 } : { kind: 'postMany', ...base, count: n });
  };
  const startRate = () => {
    setOut(undefined);
    try {
      const base = { chain: chainId, contract, entryPoint, params: parsed() };
      stopLoad.current = startLoad(host, base, Number(rate), Number(seconds), setLoad);
    } catch (e) {
      setOut({ ok: false, text: plainError(e) });
    }
  };

  return (
    <section className="card" data-testid="wallet">
      <h2>Wallet</h2>
      <div className="row">
        <code className="muted" data-testid="wallet-address">{state.node?.wallet?.address.slice(0, 16) ?? '…'}…</code>
        <span data-testid="wallet-balance" data-balance={state.node?.wallet?.balance ?? '0'}>{state.node?.wallet?.balance ?? '0'} iotas</span>
        <button data-testid="faucet-button" disabled={busy} onClick={() => void run(async () => ({ kind: 'faucet' }))}>
          Get funds from faucet
        </button>
      </div>
      {chains.length === 0 ? (
        <p className="muted">Create a chain (or join one) to deposit and post requests.</p>
      ) : (
        <>
          <div className="row">
            <label>
              chain
              <select data-testid="wallet-chain" value={chainId} onChange={(e) => setChain(e.target.value)}>
                {chains.map((c) => (
                  <option key={c.chain} value={c.chain}>{c.description || c.chain.slice(0, 12)}</option>
                ))}
              </select>
            </label>
            <label>
              deposit (iotas)
              <input data-testid="deposit-amount" style={{ width: 70 }} value={amount} onChange={(e) => setAmount(e.target.value)} />
            </label>
            <button data-testid="deposit-button" disabled={busy} onClick={() => void run(async () => ({ kind: 'deposit', chain: chainId, amount: Number(amount) }))}>
              Deposit
            </button>
          </div>
          <h3>Post requests</h3>
          <div className="row">
            <label>
              contract
              <input data-testid="req-contract" style={{ width: 90 }} value={contract} onChange={(e) => setContract(e.target.value)} />
            </label>
            <label>
              entry point
              <input data-testid="req-entrypoint" style={{ width: 90 }} value={entryPoint} onChange={(e) => setEntryPoint(e.target.value)} />
            </label>
            <label>
              params
              <input data-testid="req-params" style={{ width: 120 }} value={params} placeholder="n=5, name=str:x" onChange={(e) => setParams(e.target.value)} />
            </label>
            <label title="iotas sent with a single request">
              transfer
              <input data-testid="req-transfer" style={{ width: 50 }} value={transfer} onChange={(e) => setTransfer(e.target.value)} />
            </label>
            <label title={`requests posted at once (up to ${LOAD_LIMITS.postManyMax}, ${LOAD_LIMITS.requestsPerTx} per transaction)`}>
              count
              <input data-testid="req-count" style={{ width: 50 }} value={count} onChange={(e) => setCount(e.target.value)} />
            </label>
            <button data-testid="post-request-button" disabled={busy} onClick={() => void run(post)}>
              {Number(count) > 1 ? `Post ${count} requests` : 'Post request'}
            </button>
          </div>
          <div className="row">
            <label>
              steady rate (requests/s)
              <input data-testid="load-rate" style={{ width: 50 }} value={rate} onChange={(e) => setRate(e.target.value)} />
            </label>
            <label>
              for (s)
              <input data-testid="load-seconds" style={{ width: 50 }} value={seconds} onChange={(e) => setSeconds(e.target.value)} />
            </label>
            {load?.running ? (
              <button data-testid="load-stop" onClick={() => stopLoad.current?.()}>Stop</button>
            ) : (
              <button data-testid="load-start" disabled={busy} onClick={startRate}>Start</button>
            )}
            {load && (
              <span data-testid="load-progress" data-posted={load.posted} data-total={load.total} data-running={load.running} className={load.error ? 'error' : 'muted'}>
                {load.posted} / {load.total} posted{load.running ? '…' : load.error ? `, stopped: ${load.error}` : ', done'}
              </span>
            )}
          </div>
          <h3>Call a view</h3>
          <div className="row">
            <label>
              contract
              <input data-testid="view-contract" style={{ width: 90 }} value={viewContract} onChange={(e) => setViewContract(e.target.value)} />
            </label>
            <label>
              view
              <input data-testid="view-name" style={{ width: 90 }} value={view} onChange={(e) => setView(e.target.value)} />
            </label>
            <button data-testid="call-view-button" disabled={busy} onClick={() => void run(async () => ({ kind: 'callView', chain: chainId, contract: viewContract, view, params: parsed() }))}>
              Call view
            </button>
            <span className="muted">(params from above)</span>
          </div>
          <h3>Deploy a contract</h3>
          <div className="row">
            <label>
              wasm file
              <input type="file" accept=".wasm" data-testid="wasm-file" onChange={(e) => setFile(e.target.files?.[0])} />
            </label>
            <label>
              name
              <input data-testid="wasm-name" style={{ width: 90 }} value={wasmName} onChange={(e) => setWasmName(e.target.value)} />
            </label>
            <button
              data-testid="deploy-wasm-button"
              disabled={busy || !file}
              onClick={() => void run(async () => ({ kind: 'deployWasm', chain: chainId, name: wasmName, description: wasmName, program: new Uint8Array(await (file as File).arrayBuffer()) }))}
            >
              Upload and deploy
            </button>
          </div>
        </>
      )}
      {busy && <p className="muted">working…</p>}
      {out && (
        <div className={out.ok ? 'result' : 'error'} data-testid="wallet-result" data-ok={out.ok}>
          {out.text}
          {out.fields && (
            <dl className="fields">
              {out.fields.map(([k, v]) => (
                <div key={k} data-testid="result-field" data-key={k}>
                  <dt>{k}</dt>
                  <dd>{v}</dd>
                </div>
              ))}
            </dl>
          )}
        </div>
      )}
    </section>
  );
}

/** A command's result in words (views as a field list). */
function shown(r: CommandResult): { ok: boolean; text: string; fields?: [string, string][] } {
  if (r.kind === 'requests') {
    const n = r.requestIds.length;
    return { ok: true, text: `Posted ${n} request${n === 1 ? '' : 's'}${n <= 3 ? `: ${r.requestIds.join(', ')}` : ` (first ${r.requestIds[0]})`}` };
  }
  if (r.kind === 'view') {
    const fields = Object.entries(r.result);
    return { ok: true, text: fields.length === 0 ? 'The view returned no results.' : 'View results:', fields };
  }
  if (r.kind === 'ok') return { ok: true, text: r.text };
  return { ok: true, text: JSON.stringify(r) };
}
