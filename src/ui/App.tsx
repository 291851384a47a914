import type { NodeHost } from '../worker/host';
import { useHostState, useRoute } from './use-host';
import { Dashboard } from './Dashboard';
import { Classroom } from './classroom/Classroom';
import { SelfTest } from './selftest/SelfTest';

/**
 * Hash routes: '#/' (dashboard). Another route ('#/classroom') plugs in here: add a case that renders its view
 * with the same `host`.
 */
export function App({ host, startError }: { host: NodeHost | undefined; startError: string | undefined }) {
  if (!host) {
    return (
      <main className="page">
        <h1>ISCP committee node</h1>
        <p className="error" data-testid="start-error">{startError}</p>
      </main>
    );
  }
  return <Routed host={host} />;
}

function Routed({ host }: { host: NodeHost }) {
  const route = useRoute();
  if (route.startsWith('classroom')) return <Classroom />; // '#/classroom?tour=…&seed=…'
  if (route.startsWith('selftest')) return <SelfTest />; // hidden: VM determinism self-test
  switch (route) {
    default:
      return <Dashboard host={host} />;
  }
}
