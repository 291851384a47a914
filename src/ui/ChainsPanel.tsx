import type { NodeHost, HostState } from '../worker/host';

export function ChainsPanel({ host, state }: { host: NodeHost; state: HostState }) {
  void host;
  void state;
  return null;
}
