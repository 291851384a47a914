import type { PeerFaultConfig, PeerFaultStats } from '../net/peer-faults';
import type { CommandResult, NodeCommand } from './bridge';
import type { WorkerByzantineKind } from './byzantine';
import type { HostPhase, NodeHost } from './host';

/**
 * The tab's automation API, `window.iscp` (docs/testing.md): what a Playwright test reads and does in a tab
 * without scraping the dashboard. Plain data in and out (it crosses page.evaluate). Versioned: a breaking change
 * raises PAGE_API_VERSION, and the kit refuses a page whose version it does not know.
 * `window.__iscp` (the raw NodeHost) stays for the bench and older specs; it is not an API.
 */
export const PAGE_API_VERSION = 1;

export interface PagePeer {
  readonly nodeId: string;
  readonly name: string;
  readonly kind: 'direct' | 'relayed' | 'none';
  /** The verified peering link is up (node envelopes flow). */
  readonly up: boolean;
}

export interface PageStatus {
  readonly phase: HostPhase;
  readonly nodeName: string;
  readonly nodeId: string | undefined;
  readonly error: string | undefined;
  readonly hubConnected: boolean;
  readonly peers: readonly PagePeer[];
}

/** One chain as this tab's node has it (its last snapshot, refreshed a few times a second). */
export interface PageChain {
  readonly chain: string;
  readonly blockIndex: number;
  readonly stateHash: string;
  /** Requests this node knows of that no block has processed yet. */
  readonly backlog: number;
  /** Committee node IDs in committee order. */
  readonly committee: readonly string[];
  readonly t: number;
  readonly myIndex: number | null;
  /** Committee index of the leader this node knows, if a round is on. */
  readonly leader: number | undefined;
  readonly quorumUp: boolean;
  readonly contracts: readonly string[];
  /** Requests that failed in the VM, with the node's message. */
  readonly errors: readonly { readonly requestId: string; readonly message: string }[];
  /** Misbehaviour this node's consensus recorded: the member's committee index and the kind (consensus/evidence.ts). */
  readonly evidence: readonly { readonly member: number; readonly kind: string }[];
}

export interface PageFaults {
  set(config: PeerFaultConfig): void;
  current(): PeerFaultConfig;
  stats(): PeerFaultStats;
}

export interface IscpPageApi {
  readonly version: typeof PAGE_API_VERSION;
  status(): PageStatus;
  chains(): readonly PageChain[];
  chain(id: string): PageChain | undefined;
  /** Any dashboard command (worker/bridge.ts NodeCommand), run by this tab's node. */
  command(c: NodeCommand): Promise<CommandResult>;
  /** Injected peering faults (net/peer-faults.ts); throws until the network is up. */
  readonly faults: PageFaults;
  /** Byzantine behaviours of the worker's node (worker/byzantine.ts); null makes it honest again. */
  byzantine(kind: WorkerByzantineKind | null): Promise<void>;
}

export function createPageApi(host: NodeHost): IscpPageApi {
  const net = (): NonNullable<NodeHost['net']> => {
    if (!host.net) throw new Error(`the tab's network is not up yet (phase ${host.current.phase})`);
    return host.net;
  };
  const chains = (): PageChain[] =>
    (host.current.node?.chains ?? []).map((c) => ({
      chain: c.chain,
      blockIndex: c.blockIndex,
      stateHash: c.stateHash,
      backlog: c.backlog.length,
      committee: c.committee.map((m) => m.nodeId),
      t: c.t,
      myIndex: c.myIndex,
      leader: c.leader,
      quorumUp: c.quorumUp,
      contracts: c.contracts.map((x) => x.name),
      errors: c.errors.map((e) => ({ requestId: e.requestId, message: e.message })),
      evidence: c.evidence.map((e) => ({ member: e.member, kind: e.kind })),
    }));
  return {
    version: PAGE_API_VERSION,
    status: () => {
      const s = host.current;
      return {
        phase: s.phase,
        nodeName: s.nodeName,
        nodeId: s.nodeId,
        error: s.error,
        hubConnected: s.net?.hubConnected ?? false,
        peers: (s.net?.peers ?? []).map((p) => ({ nodeId: p.nodeId, name: p.name, kind: p.kind, up: p.peeringUp })),
      };
    },
    chains,
    chain: (id) => chains().find((c) => c.chain === id),
    command: (c) => host.command(c),
    faults: {
      set: (config) => net().faults.set(config),
      current: () => net().faults.current(),
      stats: () => net().faults.stats(),
    },
    byzantine: (kind) => host.setByzantine(kind),
  };
}
