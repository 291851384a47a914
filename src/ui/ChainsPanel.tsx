import type { HostState, NodeHost } from '../worker/host';
import type { ChainView } from '../worker/bridge';

export function ChainsPanel({ state }: { host: NodeHost; state: HostState }) {
  const chains = state.node?.chains ?? [];
  const names = new Map((state.net?.peers ?? []).map((p) => [p.nodeId, p.name]));
  if (state.nodeId) names.set(state.nodeId, `${state.nodeName} (me)`);
  return (
    <>
      {chains.map((c) => (
        <ChainCard key={c.chain} c={c} names={names} />
      ))}
    </>
  );
}

function ChainCard({ c, names }: { c: ChainView; names: Map<string, string> }) {
  return (
    <section className="card wide" data-testid="chain" data-chain={c.chain} data-block-index={c.blockIndex} data-state-hash={c.stateHash} data-backlog={c.backlog.length}>
      <h2>
        Chain {c.description && <span>“{c.description}” </span>}
        <code className="muted" title={c.chain}>{c.chain.slice(0, 14)}…</code>
      </h2>
      <div className="row">
        <span>block <b data-testid="block-index">#{c.blockIndex}</b></span>
        <code className="muted" title={c.stateHash}>state {c.stateHash.slice(0, 12)}…</code>
        <span>stage: <b data-testid="round-stage">{c.stage}</b></span>
        <span data-testid="quorum-up" data-up={c.quorumUp} className={c.quorumUp ? 'kind-direct' : 'kind-none'}>
          quorum {c.quorumUp ? 'up' : 'NOT up'} (T = {c.t} of {c.committee.length})
        </span>
        <span className="muted">on-chain total: {c.balance} iotas</span>
      </div>
      <div className="grid">
        <div>
          <h3>Committee</h3>
          <table>
            <tbody>
              {c.committee.map((m, i) => (
                <tr key={m.nodeId} data-testid="committee-member" data-up={m.up}>
                  <td>#{i}</td>
                  <td>{names.get(m.nodeId) ?? m.nodeId.slice(0, 10)}</td>
                  <td className={m.up ? 'kind-direct' : 'kind-none'}>{m.up ? 'up' : 'down'}</td>
                  <td>{c.leader === i ? 'leader' : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>Contracts ({c.contracts.length})</h3>
          <table data-testid="contracts">
            <tbody>
              {c.contracts.map((k) => (
                <tr key={k.hname} data-testid="contract-row" data-name={k.name}>
                  <td>{k.name}</td>
                  <td><code>{k.hname}</code></td>
                  <td className="muted">{k.description}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>Backlog ({c.backlog.length})</h3>
          <div className="scroll" data-testid="backlog" data-count={c.backlog.length}>
            <table>
              <tbody>
                {c.backlog.slice(0, 20).map((b) => (
                  <tr key={b.requestId} data-testid="backlog-row">
                    <td>{b.requestId.slice(0, 16)}…</td>
                    <td className="muted">L1 tx {b.txId.slice(0, 10)}…</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {c.errors.length > 0 && (
            <>
              <h3>Request errors</h3>
              <ul data-testid="request-errors">
                {c.errors.map((e) => (
                  <li key={e.requestId} data-testid="request-error" className="error">
                    {e.message}
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
        <div>
          <h3>Blocks</h3>
          <div className="scroll">
            <table>
              <thead>
                <tr><th>#</th><th>time</th><th>requests</th><th>state hash</th></tr>
              </thead>
              <tbody>
                {c.blocks.map((b) => (
                  <tr key={b.index} data-testid="block-row" data-index={b.index} data-requests={b.requests}>
                    <td>{b.index}</td>
                    <td>{new Date(b.timeMs).toLocaleTimeString()}</td>
                    <td>{b.requests}</td>
                    <td><code>{b.stateHash.slice(0, 12)}…</code></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <h3>Anchors</h3>
          <div className="scroll">
            <table>
              <tbody>
                {[...c.anchors].reverse().map((a) => (
                  <tr key={a.txId} data-testid="anchor-row" data-state={a.state}>
                    <td>#{a.blockIndex}</td>
                    <td><code>{a.txId.slice(0, 14)}…</code></td>
                    <td><span className={`badge ${a.state}`}>{a.state}</span></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      </div>
    </section>
  );
}
