import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { createHostForPage, type NodeHost } from '../worker/host';
import './styles.css';

declare global {
  interface Window {
    /** Test hook for Playwright and the bench: the tab's node host (read state, send commands). */
    __iscp?: NodeHost;
  }
}

const root = document.getElementById('root');
if (!root) throw new Error('missing #root element');
let host: NodeHost | undefined;
let startError: string | undefined;
try {
  host = createHostForPage();
  window.__iscp = host;
} catch (e) {
  startError = e instanceof Error ? e.message : String(e);
}
createRoot(root).render(
  <StrictMode>
    <App host={host} startError={startError} />
  </StrictMode>,
);
// Start after the first paint is scheduled: the worker and libp2p load in the background.
if (host) void host.start();
