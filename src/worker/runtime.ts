import type { IDBPDatabase } from 'idb';
import type { HubInfo } from '../net/types';
import type { NodeIdentity, Registry, SolidStateStore } from '../state/store';
import type { CommandResult, FromWorker, NodeCommand, NodeSnapshotView } from './bridge';

/** What the worker entry needs from the node: the ports in, commands, and a snapshot stream out. */
export interface NodeRuntime {
  readonly restoredChains: number;
  onPeerMessage(fromNodeId: string, data: Uint8Array): void;
  onPeerStatus(nodeId: string, name: string, up: boolean): void;
  onL1Frame(frame: Uint8Array): void;
  command(c: NodeCommand): Promise<CommandResult>;
}

export interface RuntimeDeps {
  readonly nodeId: string;
  readonly nodeName: string;
  readonly identity: NodeIdentity;
  readonly store: SolidStateStore;
  readonly registry: Registry;
  readonly db: IDBPDatabase<never> | IDBPDatabase<unknown> | object;
  readonly hub: HubInfo;
  readonly post: (m: FromWorker) => void;
}

/**
 * Builds the node. Until src/node's createNode lands this is a shell: it answers peering echoes and reports an
 * empty snapshot, so the page's networking can be tested end to end on its own.
 */
export async function startNodeRuntime(deps: RuntimeDeps): Promise<NodeRuntime> {
  const restored = (await deps.registry.listBootupRecords()).length;
  const snapshot: NodeSnapshotView = { nodeId: deps.nodeId, nodeName: deps.nodeName, wallet: undefined, chains: [], dkg: [] };
  deps.post({ t: 'snapshot', snapshot });
  return {
    restoredChains: restored,
    onPeerMessage() {},
    onPeerStatus() {},
    onL1Frame() {},
    async command(c) {
      throw new Error(`'${c.kind}' is not available yet: the node runtime is still being built`);
    },
  };
}
