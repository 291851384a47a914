import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App, type DashboardHost } from './App';
import { createHostForPage, type NodeHost } from '../worker/host';
import { createPageApi, type IscpPageApi } from '../worker/page-api';
import { needsNode, routeOf } from './use-host';
import './styles.css';

declare global {
  interface Window {
    /** Raw test hook for the bench and older specs: the tab's node host. Automation uses `iscp`. */
    __iscp?: NodeHost;
    /** The tab's typed, versioned automation API (worker/page-api.ts, docs/testing.md); set with the node. */
    iscp?: IscpPageApi;
  }
}

const root = document.getElementById('root');
if (!root) throw new Error('missing #root element');

/**
 * The tab's node (Web Lock, worker, libp2p) exists only once the dashboard route is shown: the classroom and
 * the self-test run without it (no hub connection, no node name taken). Created at most once per page.
 */
let dashboardHost: DashboardHost | undefined;
function ensureHost(): DashboardHost {
  if (dashboardHost) return dashboardHost;
  try {
    const host = createHostForPage();
    window.__iscp = host;
    window.iscp = createPageApi(host);
    dashboardHost = { host, startError: undefined };
    // Start after the current render is scheduled: the worker and libp2p load in the background.
    queueMicrotask(() => void host.start());
  } catch (e) {
    dashboardHost = { host: undefined, startError: e instanceof Error ? e.message : String(e) };
  }
  return dashboardHost;
}
const onRoute = (): void => {
  if (needsNode(routeOf(location.hash))) ensureHost();
};
// Registered before React subscribes to hashchange, so the host exists when the dashboard renders.
window.addEventListener('hashchange', onRoute);
onRoute();

createRoot(root).render(
  <StrictMode>
    <App dashboard={ensureHost} />
  </StrictMode>,
);
