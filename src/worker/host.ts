import type { BrowserNet } from '../net/browser-net';
import { fetchHubInfo } from '../net/hub-info';
import type { NetSnapshot } from '../net/types';
import type { ProtocolEvent } from '../node/types';
import type { CommandResult, FromWorker, NodeCommand, NodeSnapshotView, ToWorker, WorkerApi, WorkerMethod } from './bridge';
import { chooseNodeName } from './node-name';
import type { WorkerByzantineKind } from './byzantine';

export type HostPhase = 'starting' | 'locked-elsewhere' | 'worker' | 'network' | 'running' | 'failed';

/** Everything the dashboard reads. Immutable: a new object on every change. */
export interface HostState {
  readonly phase: HostPhase;
  readonly nodeName: string;
  readonly nodeId: string | undefined;
  readonly error: string | undefined;
  readonly net: NetSnapshot | undefined;
  readonly node: NodeSnapshotView | undefined;
  readonly events: readonly ProtocolEvent[];
  readonly timings: Readonly<Record<string, number>>;
}

/** Frames the node sends before libp2p is up, held until it is. */
const EARLY_FRAMES_MAX = 4_096;
/** Protocol events kept for the dashboard's log. */
const EVENTS_KEPT_MAX = 300;

/**
 * The page side of the tab's node: takes the Web Lock for the node name, starts the worker, then libp2p
 * (loaded lazily so the first paint does not wait for ~700 kB), and pipes frames both ways. It decides nothing
 * about the protocol.
 */
export class NodeHost {
  private state: HostState;
  private readonly listeners = new Set<(s: HostState) => void>();
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  net: BrowserNet | undefined;

  constructor(nodeName: string) {
    this.state = { phase: 'starting', nodeName, nodeId: undefined, error: undefined, net: undefined, node: undefined, events: [], timings: {} };
  }

  get current(): HostState {
    return this.state;
  }

  subscribe(fn: (s: HostState) => void): () => void {
    this.listeners.add(fn);
    fn(this.state);
    return () => this.listeners.delete(fn);
  }

  /** Runs the node for as long as the page lives. */
  async start(): Promise<void> {
    const locks = navigator.locks;
    if (!locks) return this.run();
    await new Promise<void>((resolveStarted) => {
      void locks.request(`iscp-node/${this.state.nodeName}`, { ifAvailable: true }, async (lock) => {
        if (!lock) {
          this.set({ phase: 'locked-elsewhere', error: `Node '${this.state.nodeName}' is already running in another tab. Open this page with ?node=OTHER-NAME to run a second node.` });
          resolveStarted();
          return;
        }
        await this.run().catch((e: unknown) => this.fail(e));
        resolveStarted();
        // Hold the lock until the page goes away.
        await new Promise<never>(() => undefined);
      });
    });
  }

  async command(c: NodeCommand): Promise<CommandResult> {
    return this.call('command', c);
  }

  /** Test automation: see worker/byzantine.ts. */
  async setByzantine(kind: WorkerByzantineKind | null): Promise<void> {
    await this.call('byzantine', { kind });
  }

  private async run(): Promise<void> {
    this.set({ phase: 'worker' });
    const worker = new Worker(new URL('./node.worker.ts', import.meta.url), { type: 'module', name: `node ${this.state.nodeName}` });
    this.worker = worker;
    worker.onmessage = (ev: MessageEvent<FromWorker>) => this.onWorker(ev.data);
    worker.onerror = (ev) => this.fail(new Error(`the node worker crashed: ${ev.message}`));
    const hubP = fetchHubInfo();
    // The networking module (~700 kB with libp2p) loads while the worker opens its store: not after.
    const netModule = import('../net/browser-net');
    netModule.catch(() => undefined); // awaited below; a failure surfaces there
    const ready = new Promise<void>((resolve) => {
      this.readyResolve = resolve;
    });
    const hub = await hubP;
    this.post({ t: 'init', nodeName: this.state.nodeName, hub });
    await ready;
    this.mark('memberReadyMs');
    this.set({ phase: 'network' });
    const { createBrowserLibp2p } = await netModule;
    const nodeId = this.state.nodeId as string;
    const keyName = `iscp/libp2p-key/${this.state.nodeName}`;
    const net = await createBrowserLibp2p(
      hub,
      { nodeId, name: this.state.nodeName, signBinding: (peerId) => this.call('signBinding', { peerId }) },
      // localStorage: the Web Lock guarantees one tab per node name, and this key is only a transport identity.
      {
        load: () => {
          const s = localStorage.getItem(keyName);
          return s ? Uint8Array.from(atob(s), (c) => c.charCodeAt(0)) : undefined;
        },
        save: (b) => localStorage.setItem(keyName, btoa(String.fromCharCode(...b))),
      },
    );
    this.net = net;
    this.mark('networkReadyMs');
    net.on('change', (s) => {
      if (s.firstDirectAtMs !== undefined && this.state.timings.firstDirectMs === undefined) this.mark('firstDirectMs');
      this.set({ net: s });
    });
    net.on('peeringMessage', (m) => this.post({ t: 'peerMessage', fromNodeId: m.fromNodeId, data: m.data }));
    net.on('peerStatus', (s) => {
      const name = net.snapshot().peers.find((p) => p.nodeId === s.nodeId)?.name ?? '';
      this.post({ t: 'peerStatus', nodeId: s.nodeId, name, up: s.up });
    });
    net.on('nodeconnFrame', (frame) => this.post({ t: 'l1', frame }));
    net.on('nodeconnUp', () => this.post({ t: 'l1Up' }));
    this.post({ t: 'l1Up' });
    for (const m of this.early.splice(0)) this.deliver(m);
    this.set({ phase: 'running', net: net.snapshot() });
  }

  private readyResolve: (() => void) | undefined;
  private readonly early: Extract<FromWorker, { t: 'sendPeer' | 'sendL1' }>[] = [];

  private deliver(m: Extract<FromWorker, { t: 'sendPeer' | 'sendL1' }>): void {
    if (m.t === 'sendPeer') this.net?.sendPeering(m.toNodeId, m.data);
    else this.net?.sendNodeconn(m.frame);
  }

  private onWorker(m: FromWorker): void {
    switch (m.t) {
      case 'ready':
        this.set({ nodeId: m.nodeId });
        this.readyResolve?.();
        return;
      case 'reply': {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.ok) p.resolve(m.value);
        else p.reject(new Error(m.error));
        return;
      }
      case 'sendPeer':
      case 'sendL1':
        // Until libp2p is up, hold what the node sends (bounded; the protocol retries whatever is lost).
        if (!this.net) {
          if (this.early.length < EARLY_FRAMES_MAX) this.early.push(m);
          return;
        }
        this.deliver(m);
        return;
      case 'snapshot':
        this.set({ node: m.snapshot });
        return;
      case 'events': {
        const events = [...this.state.events, ...m.events];
        this.set({ events: events.length > EVENTS_KEPT_MAX ? events.slice(events.length - EVENTS_KEPT_MAX) : events });
        return;
      }
      case 'fatal':
        this.fail(new Error(m.message));
        return;
    }
  }

  private call<M extends WorkerMethod>(method: M, params: WorkerApi[M]['params']): Promise<WorkerApi[M]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.post({ t: 'call', id, method, params });
    });
  }

  private post(m: ToWorker): void {
    this.worker?.postMessage(m);
  }

  private mark(name: string): void {
    // Since the page's navigation started (performance.now()'s origin): what a user waits, page load included.
    this.set({ timings: { ...this.state.timings, [name]: Math.round(performance.now()) } });
  }

  private fail(e: unknown): void {
    this.set({ phase: 'failed', error: e instanceof Error ? e.message : String(e) });
  }

  private set(patch: Partial<HostState>): void {
    this.state = { ...this.state, ...patch };
    for (const fn of this.listeners) fn(this.state);
  }
}

/** Creates the host for this tab (node name from ?node= or sessionStorage). */
export function createHostForPage(): NodeHost {
  const name = chooseNodeName(location.search, sessionStorage, () => crypto.randomUUID().slice(0, 6));
  return new NodeHost(name);
}
