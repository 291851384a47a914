import type { Address } from '../protocol';
import type { WaspToNode } from '../nodeconn/messages';

/**
 * What a host sends when its hub link (re)opens: nodeconn is session-less, so a new session knows none of our
 * subscriptions. Per address: subscribe (future updates) and ask for its outputs now (what we missed meanwhile).
 */
export function l1WatchMessages(addresses: readonly Address[]): WaspToNode[] {
  return addresses.flatMap((address): WaspToNode[] => [
    { kind: 'waspToNodeSubscribe', address },
    { kind: 'waspToNodeGetOutputs', address },
  ]);
}
