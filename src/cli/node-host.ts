import { createNode, type NodeOptions, type WaspNode } from '../node/node';
import { l1WatchMessages } from '../node/l1-watch';
import type { LogPort, Registry, SolidStateStore } from '../node/types';
import { TICK_INTERVAL_MS } from '../consensus/params';
import { decodeWaspFromNode, encodeNodeConnMessage } from '../nodeconn/codec';
import { MemoryRegistry, MemorySolidStateStore } from '../state/store-memory';
import { cryptoRng } from '../protocol/rng';
import { createNodeNet, findPeer, nodeIdOf, type NodeNet } from '../net/node-net';
import type { PrivateKey } from '@libp2p/interface';
import type { HubInfo, PeerView } from '../net/types';
import { NET_LIMITS } from '../net/limits';
import type { WaspFromNode } from '../nodeconn/messages';
import { addressEquals, addressToString, type Address } from '../protocol/ids';

type AddressOutput = Extract<WaspFromNode, { kind: 'waspFromNodeAddressOutputs' }>['outputs'][number];

/**
 * A whole ISCP node in a Node process: `createNode` (src/node) with peering and L1 over one libp2p node
 * (src/net/node-net.ts: the tabs' own peering code over the hub's relay), an in-memory store and registry, and a
 * timer driving `tick`. The CLI runs one per command (as the deploy initiator and as an access node for views);
 * tests run a few as stand-ins for tabs. The same ports the browser worker wires (src/worker/runtime.ts).
 */
export interface NodeHost {
  readonly nodeId: string;
  readonly name: string;
  readonly node: WaspNode;
  readonly net: NodeNet;
  /** Every peer whose presence we saw (name, node ID, peering link up or not). */
  peers(): readonly PeerView[];
  /**
   * Waits until each named peer (name or node ID) has its peering link up, or the time is over. Never throws:
   * the caller decides what "not enough" means. `unknown` = never seen in presence; `down` = seen, link not up.
   */
  waitForPeers(namesOrIds: readonly string[], timeoutMs: number): Promise<PeerWait>;
  /** The unspent outputs of an address, asked of L1 over this node's own nodeconn link (re-asked until answered). */
  outputs(address: Address, timeoutMs?: number): Promise<readonly AddressOutput[]>;
  stop(): Promise<void>;
}

export interface PeerWait {
  readonly up: readonly PeerView[];
  readonly down: readonly PeerView[];
  readonly unknown: readonly string[];
}

export interface NodeHostOptions {
  readonly hub: HubInfo;
  readonly name: string;
  /** The node identity's ed25519 seed (random when omitted: a fresh node ID each run). */
  readonly secretKey?: Uint8Array;
  /** The libp2p key (random when omitted); see NodeNetIdentity.peerKey for why to keep one. */
  readonly peerKey?: PrivateKey;
  readonly store?: SolidStateStore;
  readonly registry?: Registry;
  readonly log?: LogPort;
  readonly nodeOptions?: NodeOptions;
}

export const NODE_HOST_LIMITS = {
  /** How often waitForPeers looks at the peer table (presence arrives every 2 s; links come up within seconds). */
  peerPollMs: 100,
  /**
   * A name unheard this long after presence started flowing is unknown. Every node announces every 2 s, but on a
   * loaded machine gossipsub needs a few heartbeats to graft a newcomer into the mesh (measured: 5 s was too short
   * at load 14 on 2 cores), so: five announce intervals.
   */
  unknownAfterPresenceMs: 5 * NET_LIMITS.presenceIntervalMs,
  /** outputs(): re-ask L1 this often (nodeconn is pull-on-timeout), give up after the default timeout. */
  outputsRetryMs: 500,
  outputsTimeoutMsDefault: 10_000,
  /** outputs() calls waiting at once. */
  outputsWaitsMax: 64,
} as const;

export async function startNodeHost(o: NodeHostOptions): Promise<NodeHost> {
  const secretKey = o.secretKey ?? cryptoRng.bytes(32);
  const nodeId = nodeIdOf(secretKey);
  const net = await createNodeNet(o.hub, { name: o.name, secretKey, ...(o.peerKey ? { peerKey: o.peerKey } : {}) });
  const outputWaits = new Set<{ address: Address; resolve: (o: readonly AddressOutput[]) => void }>();
  const node = createNode(
    {
      nodeId,
      nodeKey: secretKey,
      clock: { nowMs: () => Date.now() },
      rng: cryptoRng,
      peering: { send: (to, bytes) => void net.sendPeering(to, bytes) },
      l1: { send: (m) => net.sendNodeconn(encodeNodeConnMessage(m)) },
      store: o.store ?? new MemorySolidStateStore(),
      registry: o.registry ?? new MemoryRegistry(),
      ...(o.log ? { log: o.log } : {}),
    },
    o.nodeOptions,
  );
  net.on('peeringMessage', (m) => node.onPeerMessage(m.fromNodeId, m.data));
  net.on('nodeconnFrame', (f) => {
    let m;
    try {
      m = decodeWaspFromNode(f);
    } catch (e) {
      o.log?.log('warn', `dropped a malformed L1 frame: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    node.onL1Message(m);
    if (m.kind === 'waspFromNodeAddressOutputs') for (const w of [...outputWaits]) if (addressEquals(w.address, m.address)) w.resolve(m.outputs);
  });
  // A new hub session forgets our subscriptions: make them again (as the worker does on nodeconnUp).
  net.on('nodeconnUp', () => {
    net.sendNodeconn(encodeNodeConnMessage({ kind: 'waspToNodeSetId', id: nodeId.slice(0, 16) }));
    for (const m of l1WatchMessages(node.chains())) net.sendNodeconn(encodeNodeConnMessage(m));
  });
  await node.start();
  const timer = setInterval(() => node.tick(), TICK_INTERVAL_MS);

  const peers = (): readonly PeerView[] => net.snapshot().peers;
  return {
    nodeId,
    name: o.name,
    node,
    net,
    peers,
    async waitForPeers(wanted, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      let presenceSinceMs: number | undefined;
      for (;;) {
        const all = peers();
        const found = wanted.map((w) => ({ w, p: findPeer(all, w) }));
        const up = found.flatMap((f) => (f.p?.peeringUp ? [f.p] : []));
        const result: PeerWait = { up, down: found.flatMap((f) => (f.p && !f.p.peeringUp ? [f.p] : [])), unknown: found.flatMap((f) => (f.p ? [] : [f.w])) };
        if (up.length === wanted.length || Date.now() >= deadline) return result;
        // Once presence flows (someone was heard), every online node is heard within a few announce intervals:
        // a name still unheard after that, with all heard ones up, is not coming — say so now, not at the deadline.
        if (all.length > 0) presenceSinceMs ??= Date.now();
        if (presenceSinceMs !== undefined && result.down.length === 0 && Date.now() - presenceSinceMs >= NODE_HOST_LIMITS.unknownAfterPresenceMs) return result;
        await new Promise((r) => setTimeout(r, NODE_HOST_LIMITS.peerPollMs));
      }
    },
    outputs(address, timeoutMs = NODE_HOST_LIMITS.outputsTimeoutMsDefault) {
      if (outputWaits.size >= NODE_HOST_LIMITS.outputsWaitsMax) return Promise.reject(new Error(`more than ${NODE_HOST_LIMITS.outputsWaitsMax} output queries pending`));
      return new Promise((resolve, reject) => {
        const ask = (): void => net.sendNodeconn(encodeNodeConnMessage({ kind: 'waspToNodeGetOutputs', address }));
        const retry = setInterval(ask, NODE_HOST_LIMITS.outputsRetryMs);
        const done = (): void => {
          clearInterval(retry);
          clearTimeout(timeout);
          outputWaits.delete(w);
        };
        const timeout = setTimeout(() => {
          done();
          reject(new Error(`L1 did not list the outputs of ${addressToString(address)} within ${timeoutMs} ms`));
        }, timeoutMs);
        const w = { address, resolve: (outs: readonly AddressOutput[]) => (done(), resolve(outs)) };
        outputWaits.add(w);
        ask();
      });
    },
    async stop() {
      clearInterval(timer);
      await node.idle().catch(() => undefined);
      await net.stop();
    },
  };
}
