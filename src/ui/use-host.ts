import { useSyncExternalStore } from 'react';
import type { HostState, NodeHost } from '../worker/host';

/** Subscribes a component to the host's state (one immutable object per change). */
export function useHostState(host: NodeHost): HostState {
  return useSyncExternalStore(
    (cb) => host.subscribe(cb),
    () => host.current,
  );
}

/** The route of a location hash: '#/classroom?x' → 'classroom?x', '' or '#/' → 'dashboard'. */
export function routeOf(hash: string): string {
  return hash.replace(/^#\/?/, '').split('/')[0] || 'dashboard';
}

/** Only the dashboard runs the tab's node (libp2p + node worker); the classroom and the self-test do not. */
export function needsNode(route: string): boolean {
  return !route.startsWith('classroom') && !route.startsWith('selftest');
}

/** Reads the current hash route (see routeOf). */
export function useRoute(): string {
  return useSyncExternalStore(
    (cb) => {
      window.addEventListener('hashchange', cb);
      return () => window.removeEventListener('hashchange', cb);
    },
    () => routeOf(location.hash),
  );
}
