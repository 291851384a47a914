import { createNode, type WaspNode } from '../node/node';
import type { ProtocolEvent } from '../node/types';
import { l1WatchMessages } from '../node/l1-watch';
import { TICK_INTERVAL_MS } from '../consensus/params';
import { decodeWaspFromNode, encodeNodeConnMessage } from '../nodeconn/codec';
import type { WaspToNode } from '../nodeconn/messages';
import { ed25519KeyPairFromSeed } from '../crypto/ed25519';
import { cryptoRng, type Rng } from '../protocol/rng';
import type { HubInfo } from '../net/types';
import type { NodeIdentity, Registry, SolidStateStore } from '../state/store';
import type { CommandResult, FromWorker, NodeCommand, NodeSnapshotView } from './bridge';
import { RuntimeBook } from './book';
import { remember, runCommand, type CommandDeps } from './commands';
import { dashboardView } from './dashboard-view';
import { isSettled } from './deployment-view';
import { RUNTIME_LIMITS } from './limits';
import { loadOrCreateWalletSeed, type MetaStore } from './meta-store';
import type { RuntimeTimers } from './timers';
import { WalletBalance } from './wallet-balance';
import { ByzantineSwitch, type WorkerByzantineKind } from './byzantine';

export { RUNTIME_LIMITS };

/** What the worker entry needs from the node: the ports in, commands, and a snapshot stream out. */
export interface NodeRuntime {
  readonly restoredChains: number;
  onPeerMessage(fromNodeId: string, data: Uint8Array): void;
  onPeerStatus(nodeId: string, name: string, up: boolean): void;
  onL1Frame(frame: Uint8Array): void;
  onL1Up(): void;
  command(c: NodeCommand): Promise<CommandResult>;
  /** Test automation (the Playwright kit): turns this node Byzantine, or honest again with null (byzantine.ts). */
  setByzantine(kind: WorkerByzantineKind | null): void;
  /** Stops the runtime's timers (the worker never does: it lives as long as the tab; tests do). */
  stop(): void;
}

export interface RuntimeDeps {
  readonly nodeId: string;
  readonly nodeName: string;
  readonly identity: NodeIdentity;
  readonly store: SolidStateStore;
  readonly registry: Registry;
  readonly meta: MetaStore;
  readonly hub: HubInfo;
  readonly post: (m: FromWorker) => void;
  /** Time and timers: browserTimers in the worker, a virtual clock in tests. */
  readonly timers: RuntimeTimers;
  /** Default cryptoRng; tests pass a seeded one. */
  readonly rng?: Rng;
}

/**
 * Builds the node from the worker's ports and serves the dashboard: wiring only. The read model is
 * dashboard-view.ts, the commands commands.ts, the bookkeeping book.ts.
 */
export async function startNodeRuntime(deps: RuntimeDeps): Promise<NodeRuntime> {
  const { post, timers } = deps;
  const rng = deps.rng ?? cryptoRng;
  const sendL1 = (m: WaspToNode): void => post({ t: 'sendL1', frame: encodeNodeConnMessage(m) });
  const book = new RuntimeBook();

  // Chain setup (DKG over the 'dkg' channel, origin, activation, root.init) and spending are the node's own
  // (src/node/setup.ts, l1-wallet.ts): this runtime only feeds it frames and ticks and renders what it reports.
  // Honest unless a test switches it (the switch's VM and signer are the defaults while its kind is null).
  const byzantine = new ByzantineSwitch();
  const node: WaspNode = createNode({
    nodeId: deps.nodeId,
    nodeKey: deps.identity.secretKey,
    clock: timers,
    rng,
    peering: { send: (to, bytes) => post({ t: 'sendPeer', toNodeId: to, data: bytes }) },
    l1: { send: sendL1 },
    store: deps.store,
    registry: deps.registry,
    log: { log: (level, message) => (level === 'error' || level === 'warn' ? console.warn(`[node] ${message}`) : undefined) },
  }, { runVM: byzantine.runVM, wrapSigner: byzantine.wrapSigner });

  const keyPair = ed25519KeyPairFromSeed(await loadOrCreateWalletSeed(deps.meta, rng));
  const walletBalance = new WalletBalance(keyPair.address);

  // Snapshots are posted only when something changed since the last one.
  let dirty = true;
  const changed = (): void => {
    dirty = true;
  };
  const cmd: CommandDeps = {
    node,
    nodeId: deps.nodeId,
    wallet: node.wallet(keyPair),
    walletIotas: () => walletBalance.iotas(),
    book,
    meta: deps.meta,
    store: deps.store,
    clock: timers,
    changed,
  };

  /** Picks up chains the node activated (a chain setup ends with node.activateChain, which writes the registry). */
  let syncing = false;
  const syncChains = (): void => {
    if (syncing || node.chains().length === book.chains.size) return;
    syncing = true;
    void deps.registry
      .listBootupRecords()
      .then(async (records) => {
        for (const r of records) await remember(cmd, r);
      })
      .finally(() => {
        syncing = false;
      });
  };

  // Events are batched to the page: one message per flush, bounded.
  let events: ProtocolEvent[] = [];
  let eventsDropped = 0;
  node.subscribe((e) => {
    if (e.type === 'protocol') {
      if (events.length < RUNTIME_LIMITS.eventsPerFlushMax) events.push(e.event);
      else eventsDropped++;
    }
    changed();
  });

  await node.start();
  for (const r of await deps.registry.listBootupRecords()) await remember(cmd, r);
  const watchWallet = (): void => l1WatchMessages([keyPair.address]).forEach(sendL1);
  watchWallet();

  const snapshot = (): NodeSnapshotView => {
    const chains = [...book.chains.values()];
    const model = dashboardView(node, {
      nodeId: deps.nodeId,
      nodeName: deps.nodeName,
      nowMs: timers.nowMs(),
      wallet: { address: keyPair.address, iotas: walletBalance.iotas() },
      chains,
      peers: book.peers,
      posted: book.posted,
    });
    chains.forEach((c, i) => (c.seen = model.seen[i] ?? c.seen));
    return model.view;
  };

  const stops = [
    timers.every(TICK_INTERVAL_MS, () => node.tick()),
    timers.every(RUNTIME_LIMITS.snapshotIntervalMs, () => {
      syncChains();
      // A member's DKG progress raises no node event: refresh while any setup is still running.
      if (node.deployments().some((d) => !isSettled(d))) changed();
      if (events.length > 0) {
        if (eventsDropped > 0) console.warn(`[node] ${eventsDropped} protocol events not shown (too many)`);
        post({ t: 'events', events });
        events = [];
        eventsDropped = 0;
      }
      if (dirty) {
        dirty = false;
        post({ t: 'snapshot', snapshot: snapshot() });
      }
    }),
  ];

  return {
    restoredChains: book.chains.size,
    onPeerMessage(from, data) {
      // Every channel (consensus, sync, dkg) is the node's; it drops malformed frames itself.
      node.onPeerMessage(from, data);
    },
    onPeerStatus(nodeId, name, up) {
      book.peers.set(nodeId, { name, up });
      changed();
    },
    onL1Frame(frame) {
      let m;
      try {
        m = decodeWaspFromNode(frame);
      } catch (e) {
        console.warn(`[node] dropped a malformed L1 frame: ${e instanceof Error ? e.message : String(e)}`);
        return;
      }
      const nudge = walletBalance.onL1(m);
      node.onL1Message(m);
      if (nudge) sendL1(nudge);
      changed();
    },
    onL1Up() {
      // A new hub session knows none of our subscriptions (nodeconn is session-less).
      watchWallet();
      l1WatchMessages([...book.chains.values()].map((c) => c.record.chainAddress)).forEach(sendL1);
    },
    command: (c) => runCommand(c, cmd),
    setByzantine: (kind) => byzantine.set(kind),
    stop() {
      for (const s of stops) s();
    },
  };
}
