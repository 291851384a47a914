import { useState } from 'react';
import type { HostState, NodeHost } from '../worker/host';
import { plainError } from './errors';

/** Pick members among connected peers (this node is always one), N and T, then create the chain. */
export function CreateChainPanel({ host, state }: { host: NodeHost; state: HostState }) {
  const peers = (state.net?.peers ?? []).filter((p) => p.peeringUp);
  const [picked, setPicked] = useState<Record<string, boolean>>({});
  const [t, setT] = useState('');
  const [description, setDescription] = useState('my chain');
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | undefined>();
  const members = [state.nodeId, ...peers.filter((p) => picked[p.nodeId]).map((p) => p.nodeId)].filter((x): x is string => !!x);
  const n = members.length;
  const defaultT = Math.floor((2 * n) / 3) + 1;
  const dkg = state.node?.dkg ?? [];

  const create = async () => {
    setBusy(true);
    setMsg(undefined);
    try {
      const r = await host.command({ kind: 'createChain', memberNodeIds: members, t: t === '' ? defaultT : Number(t), description });
      setMsg({ ok: true, text: r.kind === 'chainCreated' ? `Chain ${r.chain} is running.` : 'Done.' });
    } catch (e) {
      setMsg({ ok: false, text: plainError(e) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" data-testid="create-chain">
      <h2>Create a chain</h2>
      <div className="row">
        <label>
          <input type="checkbox" checked disabled /> {state.nodeName} (this node)
        </label>
        {peers.map((p) => (
          <label key={p.nodeId}>
            <input type="checkbox" data-testid="member-checkbox" data-name={p.name} checked={!!picked[p.nodeId]} onChange={(e) => {
              const on = e.target.checked;
              // Functional update: two quick clicks before a re-render must not undo each other.
              setPicked((cur) => ({ ...cur, [p.nodeId]: on }));
            }} /> {p.name}
          </label>
        ))}
      </div>
      <div className="row">
        <span>N = {n}</span>
        <label>
          T (quorum)
          <input data-testid="quorum" style={{ width: 50 }} value={t} placeholder={String(defaultT)} onChange={(e) => setT(e.target.value)} />
        </label>
        <label>
          description
          <input data-testid="chain-description" value={description} onChange={(e) => setDescription(e.target.value)} />
        </label>
        <button data-testid="create-chain-button" disabled={busy || state.phase !== 'running'} onClick={() => void create()}>
          {busy ? 'creating…' : 'Create chain'}
        </button>
      </div>
      {dkg.map((d) => (
        <div key={d.id} className="row" data-testid="dkg-progress" data-stage={d.stage} data-phase={d.phase} data-role={d.role}>
          <span className="muted">setup {d.id}… ({d.role})</span>
          <progress max={1} value={d.progress} />
          <span>{d.error ? `failed: ${d.error}` : d.stage}</span>
          {d.qual && <span className="muted">QUAL {'{'}{d.qual.join(', ')}{'}'}</span>}
          {d.complaints > 0 && <span className="muted">{d.complaints} complaint(s)</span>}
        </div>
      ))}
      {msg && (
        <p className={msg.ok ? 'muted' : 'error'} data-testid="create-chain-result" data-ok={msg.ok}>
          {msg.text}
        </p>
      )}
    </section>
  );
}
