import type { NodeHost } from '../worker/host';
import { useRoute } from './use-host';
import { Dashboard } from './Dashboard';
import { Classroom } from './classroom/Classroom';
import { SelfTest } from './selftest/SelfTest';

/** The tab's node host, created (and started) on first use; undefined with the reason when it cannot be. */
export interface DashboardHost {
  readonly host: NodeHost | undefined;
  readonly startError: string | undefined;
}

/**
 * Hash routes: '#/' (dashboard), '#/classroom…', '#/selftest'. Only the dashboard asks for the node host
 * (`dashboard()` creates and starts it once); the other routes run without libp2p or a node worker.
 */
export function App({ dashboard }: { dashboard: () => DashboardHost }) {
  const route = useRoute();
  if (route.startsWith('classroom')) return <Classroom />; // '#/classroom?tour=…&seed=…'
  if (route.startsWith('selftest')) return <SelfTest />; // hidden: VM determinism self-test
  const { host, startError } = dashboard();
  if (!host) {
    return (
      <main className="page">
        <h1>ISCP committee node</h1>
        <p className="error" data-testid="start-error">{startError}</p>
      </main>
    );
  }
  return <Dashboard host={host} />;
}
