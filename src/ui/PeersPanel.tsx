import type { HostState } from '../worker/host';

const KIND_TEXT = { direct: 'direct (WebRTC)', relayed: 'relayed via hub', none: 'not connected' } as const;

export function PeersPanel({ state }: { state: HostState }) {
  const peers = state.net?.peers ?? [];
  const direct = peers.filter((p) => p.kind === 'direct').length;
  return (
    <section className="card" data-testid="peers">
      <h2>
        Peers <span className="muted" data-testid="peer-count" data-direct={direct} data-total={peers.length}>{direct} direct / {peers.length} known</span>
      </h2>
      {peers.length === 0 ? (
        <p className="muted">No other tabs yet. Open this page again in another tab (each tab is one node).</p>
      ) : (
        <table>
          <thead>
            <tr><th>node</th><th>link</th><th>ping</th><th>peering RTT</th><th>peering</th></tr>
          </thead>
          <tbody>
            {peers.map((p) => (
              <tr key={p.peerId} data-testid="peer-row" data-node-id={p.nodeId} data-name={p.name} data-kind={p.kind} data-up={p.peeringUp}>
                <td title={p.nodeId}>{p.name}</td>
                <td className={`kind-${p.kind}`} title={p.lastError ?? ''}>
                  {KIND_TEXT[p.kind]}
                  {p.kind !== 'direct' && p.dialAttempts > 0 ? ` (dial attempt ${p.dialAttempts})` : ''}
                </td>
                <td>{p.pingMs === undefined ? '–' : `${p.pingMs.toFixed(0)} ms`}</td>
                <td>{p.peeringRttMs === undefined ? '–' : `${p.peeringRttMs.toFixed(1)} ms`}</td>
                <td>{p.peeringUp ? 'up' : 'down'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
