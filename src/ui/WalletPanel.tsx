import { useState } from 'react';
import type { HostState, NodeHost } from '../worker/host';
import type { CommandResult, NodeCommand } from '../worker/bridge';
import { plainError } from './errors';

/** Faucet, balance, deposit, post a request, call a view, upload and deploy a wasm contract. */
export function WalletPanel({ host, state }: { host: NodeHost; state: HostState }) {
  const chains = state.node?.chains ?? [];
  const [chain, setChain] = useState('');
  const [contract, setContract] = useState('counter');
  const [entryPoint, setEntryPoint] = useState('increment');
  const [params, setParams] = useState('');
  const [transfer, setTransfer] = useState('0');
  const [view, setView] = useState('getCounter');
  const [amount, setAmount] = useState('100');
  const [wasmName, setWasmName] = useState('counter');
  const [file, setFile] = useState<File | undefined>();
  const [busy, setBusy] = useState(false);
  const [out, setOut] = useState<{ ok: boolean; text: string } | undefined>();
  const chainId = chain || chains[0]?.chain || '';

  const run = async (c: () => Promise<NodeCommand>, show: (r: CommandResult) => string) => {
    setBusy(true);
    setOut(undefined);
    try {
      setOut({ ok: true, text: show(await host.command(await c())) });
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
  const show = (r: CommandResult): string =>
    r.kind === 'requests' ? `Posted ${r.requestIds.length} request(s): ${r.requestIds.slice(0, 3).join(', ')}` : r.kind === 'view' ? JSON.stringify(r.result) : r.kind === 'ok' ? r.text : JSON.stringify(r);

  return (
    <section className="card" data-testid="wallet">
      <h2>Wallet</h2>
      <div className="row">
        <code className="muted" data-testid="wallet-address">{state.node?.wallet?.address.slice(0, 16) ?? '…'}…</code>
        <span data-testid="wallet-balance" data-balance={state.node?.wallet?.balance ?? '0'}>{state.node?.wallet?.balance ?? '0'} iotas</span>
        <button data-testid="faucet-button" disabled={busy} onClick={() => void run(async () => ({ kind: 'faucet' }), show)}>
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
            <input data-testid="deposit-amount" style={{ width: 70 }} value={amount} onChange={(e) => setAmount(e.target.value)} />
            <button data-testid="deposit-button" disabled={busy} onClick={() => void run(async () => ({ kind: 'deposit', chain: chainId, amount: Number(amount) }), show)}>
              Deposit
            </button>
          </div>
          <div className="row">
            <input data-testid="req-contract" style={{ width: 90 }} value={contract} onChange={(e) => setContract(e.target.value)} title="contract" />
            <input data-testid="req-entrypoint" style={{ width: 90 }} value={entryPoint} onChange={(e) => setEntryPoint(e.target.value)} title="entry point" />
            <input data-testid="req-params" style={{ width: 120 }} value={params} placeholder="n=5, name=str:x" onChange={(e) => setParams(e.target.value)} />
            <input data-testid="req-transfer" style={{ width: 50 }} value={transfer} onChange={(e) => setTransfer(e.target.value)} title="iotas to send" />
            <button data-testid="post-request-button" disabled={busy} onClick={() => void run(async () => ({ kind: 'postRequest', chain: chainId, contract, entryPoint, params: parsed(), transfer: Number(transfer) || 0 }), show)}>
              Post request
            </button>
          </div>
          <div className="row">
            <input data-testid="view-name" style={{ width: 90 }} value={view} onChange={(e) => setView(e.target.value)} title="view" />
            <button data-testid="call-view-button" disabled={busy} onClick={() => void run(async () => ({ kind: 'callView', chain: chainId, contract, view, params: parsed() }), show)}>
              Call view
            </button>
          </div>
          <div className="row">
            <input type="file" accept=".wasm" data-testid="wasm-file" onChange={(e) => setFile(e.target.files?.[0])} />
            <input data-testid="wasm-name" style={{ width: 90 }} value={wasmName} onChange={(e) => setWasmName(e.target.value)} title="contract name" />
            <button
              data-testid="deploy-wasm-button"
              disabled={busy || !file}
              onClick={() => void run(async () => ({ kind: 'deployWasm', chain: chainId, name: wasmName, description: wasmName, program: new Uint8Array(await (file as File).arrayBuffer()) }), show)}
            >
              Upload and deploy
            </button>
          </div>
        </>
      )}
      {busy && <p className="muted">working…</p>}
      {out && (
        <p className={out.ok ? '' : 'error'} data-testid="wallet-result" data-ok={out.ok}>
          {out.text}
        </p>
      )}
    </section>
  );
}
