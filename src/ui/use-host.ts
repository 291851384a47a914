import { useSyncExternalStore } from 'react';
import type { HostState, NodeHost } from '../worker/host';

/** Subscribes a component to the host's state (one immutable object per change). */
export function useHostState(host: NodeHost): HostState {
  return useSyncExternalStore(
    (cb) => host.subscribe(cb),
    () => host.current,
  );
}

/** Reads the current hash route: '#/classroom' → 'classroom', '' or '#/' → 'dashboard'. */
export function useRoute(): string {
  return useSyncExternalStore(
    (cb) => {
      window.addEventListener('hashchange', cb);
      return () => window.removeEventListener('hashchange', cb);
    },
    () => location.hash.replace(/^#\/?/, '').split('/')[0] || 'dashboard',
  );
}
