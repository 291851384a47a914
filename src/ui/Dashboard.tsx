import type { NodeHost } from '../worker/host';
import { useHostState } from './use-host';
import { PeersPanel } from './PeersPanel';
import { ChainsPanel } from './ChainsPanel';
import { LiveConsensusPanels } from './live/LiveConsensus';
import { WalletPanel } from './WalletPanel';
import { CreateChainPanel } from './CreateChainPanel';

const PHASE_TEXT: Record<string, string> = {
  starting: 'starting…',
  'locked-elsewhere': 'not running (open in another tab)',
  worker: 'loading the node…',
  network: 'connecting to the hub…',
  running: 'running',
  failed: 'stopped by an error',
};

export function Dashboard({ host }: { host: NodeHost }) {
  const s = useHostState(host);
  return (
    <div className="page">
      <header className="top">
        <h1>ISCP node <span data-testid="node-name">{s.nodeName}</span></h1>
        <span className={`phase phase-${s.phase}`} data-testid="status" data-phase={s.phase}>
          {PHASE_TEXT[s.phase] ?? s.phase}
        </span>
        {s.nodeId && (
          <code className="muted" title={s.nodeId} data-testid="node-id" data-node-id={s.nodeId}>
            {s.nodeId.slice(0, 12)}…
          </code>
        )}
        <span className="muted" data-testid="hub-status">
          hub: {s.net?.hubConnected ? 'connected' : 'not connected'} · relay slot: {s.net?.relayReserved ? 'yes' : 'no'} · L1 link: {s.net?.nodeconnUp ? 'up' : 'down'}
        </span>
      </header>
      {s.error && (
        <p className="error" role="alert" data-testid="error">
          {s.error}
        </p>
      )}
      {s.phase !== 'locked-elsewhere' && (
        <div className="grid">
          <PeersPanel state={s} />
          <WalletPanel host={host} state={s} />
          <CreateChainPanel host={host} state={s} />
          <ChainsPanel host={host} state={s} />
          <LiveConsensusPanels state={s} />
        </div>
      )}
    </div>
  );
}
