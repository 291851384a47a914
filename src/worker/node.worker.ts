/// <reference lib="webworker" />
/**
 * Worker entry: the tab's committee node. Holds the node key, the IndexedDB store and the node runtime; talks to
 * the page only through the bridge messages of bridge.ts. (RTCPeerConnection does not exist in workers, so
 * libp2p stays on the page and hands us frames.)
 */
import { toHex } from '../protocol/bytes';
import { cryptoRng } from '../protocol/rng';
import { openIdbNodeStore } from '../store/idb-store';
import { signBinding } from '../net/binding';
import { isBridgeMessage, type FromWorker, type ToWorker, type WorkerApi } from './bridge';
import { loadOrCreateIdentity } from './identity';
import { startNodeRuntime, type NodeRuntime } from './runtime';
import { idbMetaStore } from './meta-store';
import { browserTimers } from './timers';

declare const self: DedicatedWorkerGlobalScope;

let secretKey: Uint8Array | undefined;
let runtime: NodeRuntime | undefined;
/** Messages that arrive before init finishes are held here (bounded: the page sends nothing but init first). */
const early: ToWorker[] = [];
const EARLY_MESSAGES_MAX = 10_000;
let initDone = false;

function post(m: FromWorker): void {
  self.postMessage(m);
}

self.onmessage = (ev: MessageEvent<unknown>) => {
  const m = ev.data;
  if (!isBridgeMessage(m)) return;
  const msg = m as ToWorker;
  if (msg.t === 'init') {
    void init(msg).catch((e: unknown) => post({ t: 'fatal', message: `the node could not start: ${e instanceof Error ? e.message : String(e)}` }));
    return;
  }
  if (!initDone) {
    if (early.length < EARLY_MESSAGES_MAX) early.push(msg);
    return;
  }
  handle(msg);
};

async function init(msg: Extract<ToWorker, { t: 'init' }>): Promise<void> {
  const { store, registry, db } = await openIdbNodeStore(msg.nodeName);
  const identity = await loadOrCreateIdentity(registry, cryptoRng);
  secretKey = identity.secretKey;
  const nodeId = toHex(identity.publicKey);
  runtime = await startNodeRuntime({ nodeId, nodeName: msg.nodeName, identity, store, registry, meta: idbMetaStore(db), hub: msg.hub, post, timers: browserTimers });
  initDone = true;
  post({ t: 'ready', nodeId, nodeName: msg.nodeName, restoredChains: runtime.restoredChains });
  for (const e of early.splice(0)) handle(e);
}

function handle(msg: ToWorker): void {
  switch (msg.t) {
    case 'init':
      return;
    case 'call':
      void call(msg);
      return;
    case 'peerMessage':
      runtime?.onPeerMessage(msg.fromNodeId, msg.data);
      return;
    case 'peerStatus':
      runtime?.onPeerStatus(msg.nodeId, msg.name, msg.up);
      return;
    case 'l1':
      runtime?.onL1Frame(msg.frame);
      return;
    case 'l1Up':
      runtime?.onL1Up();
      return;
  }
}

async function call(msg: Extract<ToWorker, { t: 'call' }>): Promise<void> {
  try {
    if (msg.method === 'signBinding') {
      if (!secretKey) throw new Error('node key not loaded');
      const { peerId } = msg.params as { peerId: string };
      post({ t: 'reply', id: msg.id, ok: true, value: signBinding(secretKey, peerId) });
      return;
    }
    if (!runtime) throw new Error('the node is not running');
    if (msg.method === 'byzantine') {
      const { kind } = msg.params as WorkerApi['byzantine']['params'];
      runtime.setByzantine(kind);
      post({ t: 'reply', id: msg.id, ok: true, value: { kind } });
      return;
    }
    const value = await runtime.command(msg.params as Parameters<NodeRuntime['command']>[0]);
    post({ t: 'reply', id: msg.id, ok: true, value });
  } catch (e) {
    post({ t: 'reply', id: msg.id, ok: false, error: e instanceof Error ? e.message : String(e) });
  }
}
