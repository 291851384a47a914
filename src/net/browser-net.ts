import { createLibp2p, type Libp2p } from 'libp2p';
import { webSockets } from '@libp2p/websockets';
import { webRTC } from '@libp2p/webrtc';
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify, type Identify } from '@libp2p/identify';
import { ping, type Ping } from '@libp2p/ping';
import { gossipsub, type GossipSub } from '@libp2p/gossipsub';
import { multiaddr } from '@multiformats/multiaddr';
import type { Connection, PeerId, PrivateKey, Stream } from '@libp2p/interface';
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import { NET_LIMITS } from './limits';
import { presenceGossipsubOptions } from './gossip';
import type { NodeBinding } from './binding';
import { verifyBinding } from './binding';
import { decodePresence, encodePresence, type Presence } from './presence';
import { FrameDecoder, encodeFrame } from './frames';
import { decodePeeringFrame, encodePeeringFrame, helloFrom, type PeeringFrame } from './peering-frames';
import { Emitter } from './emitter';
import { afterIceMaxMs, dialNext, dialTimeoutMs, presenceDue, retryDelayMs, type DialTurn } from './dial-policy';
import { PeerFaults } from './peer-faults';
import type { ConnectionKind, HubInfo, NetEvents, NetSnapshot, PeerView } from './types';

export const PEERING_PROTOCOL = '/iscp/peering/1.0.0';
export const NODECONN_PROTOCOL = '/iscp/nodeconn/1.0.0';

/** The tab's node identity as the page needs it; the secret key stays in the worker, which signs bindings. */
export interface NetIdentity {
  readonly nodeId: string;
  readonly name: string;
  signBinding(peerId: string): Promise<NodeBinding>;
}

type Services = { identify: Identify; ping: Ping; pubsub: GossipSub };

interface PeerEntry {
  presence: Presence;
  lastSeenMs: number;
  dialAttempts: number;
  dialing: boolean;
  nextDialAtMs: number;
  firstSeenMs: number;
  lastError: string | undefined;
  pingMs: number | undefined;
  peeringRttMs: number | undefined;
  /** Our outbound peering stream (we send on it) and the connection it runs on. */
  out: Stream | undefined;
  outConn: Connection | undefined;
  outOpening: boolean;
  /** The remote's verified hello arrived on its stream to us. */
  inVerified: boolean;
  queue: Uint8Array[];
  echoSentAt: Map<number, number>;
  wasUp: boolean;
  pinging: boolean;
  /**
   * Whose turn it is to dial WebRTC: the dial rule's default (smaller peer ID) until a WebRTC dial fails; then the
   * turn passes to the other side with a `directReset` frame (a hung dial tends to hang again in the same
   * direction — measured 4 in a row — and not in the other). `mine` until turnUntilMs, or `theirs`.
   */
  turn: DialTurn | undefined;
}

/**
 * The page's libp2p: WebSockets to the hub, circuit relay for signalling and fallback, WebRTC between tabs,
 * gossipsub presence, the peering protocol and a nodeconn pipe to the hub. Created by createBrowserLibp2p.
 */
export class BrowserNet extends Emitter<NetEvents> {
  private readonly peers = new Map<string, PeerEntry>();
  private readonly byNodeId = new Map<string, string>();
  /** Verified hellos that arrived before the sender's presence (bounded by the number of connections). */
  private readonly pendingHello = new Map<string, string>();
  private readonly timers: ReturnType<typeof setInterval>[] = [];
  private binding: NodeBinding | undefined;
  private hubConnected = false;
  private nodeconn: Stream | undefined;
  private nodeconnOpening = false;
  private readonly nodeconnQueue: Uint8Array[] = [];
  private firstDirectAtMs: number | undefined;
  private echoSeq = 0;
  private stopped = false;
  private changeQueued = false;
  private lastPresenceMs = -Infinity;
  private readonly startedAtWallMs = Date.now();
  /** Test hook (e2e): peers whose WebRTC upgrade we never dial, so the pair stays relayed. */
  private readonly directBlocked = new Set<string>();
  /** Test hook (the Playwright kit): injected drops and delays of node envelopes per peer (peer-faults.ts). */
  readonly faults = new PeerFaults();
  /** Random per page load (see Presence.incarnation). */
  private readonly incarnation = Array.from(globalThis.crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, '0')).join('');

  constructor(
    readonly node: Libp2p<Services>,
    private readonly hub: HubInfo,
    private readonly identity: NetIdentity,
    private readonly startedAtMs: number,
  ) {
    super();
  }

  get peerId(): string {
    return this.node.peerId.toString();
  }

  async start(): Promise<void> {
    const node = this.node;
    this.binding = await this.identity.signBinding(this.peerId);
    await node.handle(PEERING_PROTOCOL, (stream, conn) => this.onInboundPeering(stream, conn), { runOnLimitedConnection: true, maxInboundStreams: 8 });
    node.services.pubsub.subscribe(NET_LIMITS.presenceTopic);
    node.services.pubsub.addEventListener('message', (e) => {
      const msg = e.detail;
      if (msg.topic !== NET_LIMITS.presenceTopic || msg.type !== 'signed') return;
      const p = decodePresence(msg.data, msg.from.toString());
      if (p) this.onPresence(p);
    });
    node.services.pubsub.addEventListener('subscription-change', () => void this.publishPresence());
    node.addEventListener('self:peer:update', () => void this.publishPresence());
    node.addEventListener('connection:open', (e) => this.onConnectionChange(e.detail, true));
    node.addEventListener('connection:close', (e) => this.onConnectionChange(e.detail, false));
    await this.connectHub();
    this.timers.push(
      setInterval(() => {
        if (presenceDue(Date.now(), this.lastPresenceMs, this.startedAtWallMs, this.meshComplete())) void this.publishPresence();
      }, NET_LIMITS.presenceFastIntervalMs),
    );
    this.timers.push(setInterval(() => this.tick(), NET_LIMITS.peerTickMs));
    this.timers.push(setInterval(() => void this.measureLatency(), NET_LIMITS.pingIntervalMs));
    void this.publishPresence();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    await this.node.stop();
  }

  /* ------------------------------------------------------------------ public operations */

  /** Sends a node envelope to a peer by node ID; queued (bounded) until its peering stream is open. */
  sendPeering(nodeId: string, data: Uint8Array): boolean {
    const v = this.faults.outbound(nodeId);
    // Dropped as a lossy link would: the sender is not told (the protocol's retries must cope).
    if (v.kind === 'drop') return true;
    if (v.kind === 'delay') {
      setTimeout(() => void this.sendData(nodeId, data), v.ms);
      return true;
    }
    return this.sendData(nodeId, data);
  }

  private sendData(nodeId: string, data: Uint8Array): boolean {
    if (this.stopped) return false;
    const peerId = this.byNodeId.get(nodeId);
    const e = peerId ? this.peers.get(peerId) : undefined;
    if (!e) return false;
    this.sendFrame(e, { kind: 'data', data });
    return true;
  }

  /** Sends a raw waspToNode* frame to the hub (queued while the nodeconn stream reconnects). */
  sendNodeconn(frame: Uint8Array): void {
    if (this.nodeconn && trySend(this.nodeconn, encodeFrame(frame))) return;
    if (this.nodeconnQueue.length >= NET_LIMITS.nodeconnQueueFramesMax) this.nodeconnQueue.shift();
    this.nodeconnQueue.push(frame);
    void this.openNodeconn();
  }

  /** Round trip of one echo frame on the peering stream to this node, in ms. */
  async echo(nodeId: string, timeoutMs = 5_000): Promise<number> {
    const peerId = this.byNodeId.get(nodeId);
    const e = peerId ? this.peers.get(peerId) : undefined;
    if (!e) throw new Error(`unknown peer node ${nodeId}`);
    const seq = this.echoSeq++;
    const t0 = performance.now();
    e.echoSentAt.set(seq, t0);
    this.sendFrame(e, { kind: 'echo', seq });
    const deadline = t0 + timeoutMs;
    while (e.echoSentAt.has(seq)) {
      if (performance.now() > deadline) {
        e.echoSentAt.delete(seq);
        throw new Error(`echo to ${nodeId} timed out after ${timeoutMs} ms`);
      }
      await new Promise((r) => setTimeout(r, 1));
    }
    return e.peeringRttMs ?? performance.now() - t0;
  }

  snapshot(): NetSnapshot {
    const peers: PeerView[] = [...this.peers.values()]
      .map((e) => ({
        peerId: e.presence.peerId,
        nodeId: e.presence.nodeId,
        name: e.presence.name,
        kind: this.kindOf(e.presence.peerId),
        pingMs: e.pingMs,
        peeringRttMs: e.peeringRttMs,
        peeringUp: this.isUp(e),
        dialAttempts: e.dialAttempts,
        lastError: e.lastError,
        lastSeenMs: e.lastSeenMs,
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
    const addrs = this.node.getMultiaddrs().map(String);
    return {
      peerId: this.peerId,
      nodeId: this.identity.nodeId,
      name: this.identity.name,
      hubConnected: this.hubConnected,
      relayReserved: addrs.some((a) => a.includes('/p2p-circuit')),
      nodeconnUp: this.nodeconn?.status === 'open',
      multiaddrs: addrs,
      peers,
      firstDirectAtMs: this.firstDirectAtMs,
    };
  }

  /* ------------------------------------------------------------------ hub */

  private async connectHub(): Promise<void> {
    let lastErr: unknown;
    for (const a of this.hub.multiaddrs) {
      try {
        await this.node.dial(multiaddr(a), { signal: AbortSignal.timeout(NET_LIMITS.dialTimeoutMs) });
        this.hubConnected = true;
        void this.openNodeconn();
        this.changed();
        return;
      } catch (e) {
        lastErr = e;
      }
    }
    throw new Error(`cannot reach the hub at ${this.hub.multiaddrs.join(', ')}: ${String(lastErr)}`);
  }

  private hubCircuitBase(): string | undefined {
    const a = this.hub.multiaddrs.find((m) => m.includes('/ws')) ?? this.hub.multiaddrs[0];
    if (!a) return undefined;
    return a.includes('/p2p/') ? a : `${a}/p2p/${this.hub.peerId}`;
  }

  private async openNodeconn(): Promise<void> {
    if (this.nodeconnOpening || this.stopped || (this.nodeconn && this.nodeconn.status === 'open')) return;
    this.nodeconnOpening = true;
    try {
      const conn = this.node.getConnections().find((c) => c.remotePeer.toString() === this.hub.peerId && c.status === 'open');
      if (!conn) throw new Error('no hub connection');
      const s = await conn.newStream(NODECONN_PROTOCOL, { signal: AbortSignal.timeout(NET_LIMITS.dialTimeoutMs) });
      const dec = new FrameDecoder(NET_LIMITS.nodeconnFrameBytesMax);
      s.addEventListener('message', (ev) => {
        try {
          for (const f of dec.push(ev.data.subarray())) this.emit('nodeconnFrame', f);
        } catch (err) {
          s.abort(err instanceof Error ? err : new Error(String(err)));
        }
      });
      s.addEventListener('close', () => {
        if (this.nodeconn === s) this.nodeconn = undefined;
        this.changed();
        if (!this.stopped) setTimeout(() => void this.reconnectHub(), NET_LIMITS.nodeconnReconnectMs);
      });
      this.nodeconn = s;
      while (this.nodeconnQueue.length > 0 && trySend(s, encodeFrame(this.nodeconnQueue[0] as Uint8Array))) this.nodeconnQueue.shift();
      this.emit('nodeconnUp', true);
      this.changed();
    } catch {
      if (!this.stopped) setTimeout(() => void this.reconnectHub(), NET_LIMITS.nodeconnReconnectMs);
    } finally {
      this.nodeconnOpening = false;
    }
  }

  private async reconnectHub(): Promise<void> {
    if (this.stopped) return;
    const hasHub = this.node.getConnections().some((c) => c.remotePeer.toString() === this.hub.peerId && c.status === 'open');
    if (!hasHub) {
      try {
        await this.connectHub();
      } catch {
        setTimeout(() => void this.reconnectHub(), NET_LIMITS.nodeconnReconnectMs);
      }
      return;
    }
    await this.openNodeconn();
  }

  /* ------------------------------------------------------------------ presence and dialing */

  /** Every known peer is linked directly with peering up (presence can slow down). */
  private meshComplete(): boolean {
    for (const [peerId, e] of this.peers) if (!this.isUp(e) || (this.kindOf(peerId) !== 'direct' && !this.directBlocked.has(e.presence.nodeId))) return false;
    return true;
  }

  private async publishPresence(): Promise<void> {
    if (this.stopped || !this.binding) return;
    this.lastPresenceMs = Date.now();
    const p: Presence = {
      v: 1,
      peerId: this.peerId,
      nodeId: this.identity.nodeId,
      name: this.identity.name,
      multiaddrs: this.node.getMultiaddrs().map(String).slice(0, 8),
      signature: this.binding.signature,
      sentAtMs: Date.now(),
      incarnation: this.incarnation,
    };
    try {
      await this.node.services.pubsub.publish(NET_LIMITS.presenceTopic, encodePresence(p));
    } catch {
      // No subscribed peer yet (e.g. the hub's subscription has not reached us): the next interval retries.
    }
  }

  private onPresence(p: Presence): void {
    if (p.peerId === this.peerId) return;
    const now = Date.now();
    let e = this.peers.get(p.peerId);
    // A reloaded tab comes back with the same node ID and a new peer ID: forget the old entry.
    const oldPeer = this.byNodeId.get(p.nodeId);
    if (oldPeer && oldPeer !== p.peerId) this.forget(oldPeer);
    if (!e) {
      e = {
        presence: p,
        lastSeenMs: now,
        firstSeenMs: now,
        dialAttempts: 0,
        dialing: false,
        nextDialAtMs: now,
        lastError: undefined,
        pingMs: undefined,
        peeringRttMs: undefined,
        out: undefined,
        outConn: undefined,
        outOpening: false,
        inVerified: false,
        queue: [],
        echoSentAt: new Map(),
        wasUp: false,
        pinging: false,
        turn: undefined,
      };
      this.peers.set(p.peerId, e);
      this.byNodeId.set(p.nodeId, p.peerId);
      if (this.pendingHello.get(p.peerId) === p.nodeId) e.inVerified = true;
      this.pendingHello.delete(p.peerId);
      this.changed();
      // A newcomer may not have heard us yet; answer at once instead of waiting for the interval.
      void this.publishPresence();
    }
    if (e.presence.incarnation !== p.incarnation) this.onRestarted(e, p);
    e.presence = p;
    e.lastSeenMs = now;
    this.maybeDial(e);
  }

  /**
   * The peer reloaded with the same peer ID: our connections to it belong to a page that no longer exists (a
   * dead WebRTC connection can look open for many seconds). Drop them and start the dial rule over.
   */
  private onRestarted(e: PeerEntry, p: Presence): void {
    this.trace(`${p.name} restarted: dropping its old connections`);
    const old = e.out;
    e.out = undefined;
    e.outConn = undefined;
    e.inVerified = false;
    e.queue = [];
    e.dialAttempts = 0;
    e.firstSeenMs = Date.now();
    e.nextDialAtMs = Date.now();
    try {
      old?.abort(new Error('peer restarted'));
    } catch {
      // already closed
    }
    const remote = this.node.getConnections().find((c) => c.remotePeer.toString() === p.peerId)?.remotePeer;
    if (remote) void this.node.hangUp(remote).catch(() => undefined);
    this.updateUp(e);
  }

  private forget(peerId: string): void {
    const e = this.peers.get(peerId);
    if (!e) return;
    this.peers.delete(peerId);
    if (this.byNodeId.get(e.presence.nodeId) === peerId) this.byNodeId.delete(e.presence.nodeId);
    try {
      e.out?.abort(new Error('peer forgotten'));
    } catch {
      // already closed
    }
    if (e.wasUp) this.emit('peerStatus', { nodeId: e.presence.nodeId, up: false });
    this.changed();
  }

  /** The periodic driver: dials, expiry, stream upkeep. Bounded work: one pass over the peer table. */
  private tick(): void {
    if (this.stopped) return;
    const now = Date.now();
    for (const [peerId, e] of this.peers) {
      if (this.kindOf(peerId) === 'none' && now - e.lastSeenMs > NET_LIMITS.presenceExpiryMs) {
        this.forget(peerId);
        continue;
      }
      this.maybeDial(e);
      this.ensureOutbound(e);
      this.closeHalfOpen(e, now);
    }
  }

  /**
   * An aborted dial can leave the other side holding a WebRTC connection we no longer have (or the reverse):
   * traffic on it goes nowhere. A direct connection that has not carried a verified peering link within
   * halfOpenCloseMs is closed, which makes both ends forget it and the dial rule start over.
   */
  private closeHalfOpen(e: PeerEntry, now: number): void {
    if (this.isUp(e)) return;
    for (const c of this.connectionsTo(e.presence.peerId)) {
      if (isDirect(c) && c.status === 'open' && now - c.timeline.open > NET_LIMITS.halfOpenCloseMs) {
        this.trace(`closing half-open ${c.remoteAddr.toString()}`);
        void c.close().catch(() => undefined);
      }
    }
  }

  /**
   * Dial rule: the smaller peer ID dials, so two tabs never dial each other at once (two simultaneous WebRTC
   * dials between the same pair tend to both fail). The larger dials only if nothing has come after a grace
   * period. Two steps: first a relayed connection through the hub (fast and reliable: the peering link is up
   * within a second), then the WebRTC upgrade, whose signalling rides that relayed connection; the peering
   * stream moves to the direct connection as soon as it exists. A hung WebRTC dial is abandoned after
   * dialTimeoutMs and retried with backoff; meanwhile peering keeps flowing relayed.
   */
  private maybeDial(e: PeerEntry): void {
    const now = Date.now();
    const peerId = e.presence.peerId;
    const kind = this.kindOf(peerId);
    if (e.dialing || now < e.nextDialAtMs) return;
    const next = dialNext({
      myPeerId: this.peerId,
      peerId,
      kind,
      nowMs: now,
      firstSeenMs: e.firstSeenMs,
      turn: e.turn,
      bothWebRTC: announcesWebRTC(e.presence.multiaddrs) && this.canWebRTC(),
      directBlocked: this.directBlocked.has(e.presence.nodeId),
    });
    if (next === null) return;
    const base = this.hubCircuitBase();
    if (!base) return;
    const relayed = next === 'relayed';
    const target = relayed ? `${base}/p2p-circuit/p2p/${peerId}` : `${base}/p2p-circuit/webrtc/p2p/${peerId}`;
    e.dialing = true;
    e.dialAttempts++;
    const timeoutMs = dialTimeoutMs(relayed ? 'relayed' : 'webrtc', e.dialAttempts);
    const dialStartMs = performance.now();
    this.changed();
    const afterIce = relayed ? undefined : afterIceMaxMs(e.dialAttempts);
    const watchdog = afterIce === undefined ? undefined : new HungDialWatchdog(afterIce);
    this.node
      .dial(multiaddr(target), {
        signal: watchdog ? AbortSignal.any([AbortSignal.timeout(timeoutMs), watchdog.signal]) : AbortSignal.timeout(timeoutMs),
        force: !relayed,
        ...(watchdog ? { onProgress: (ev: { type: string }) => watchdog.onProgress(ev.type) } : {}),
      })
      .then(() => {
        this.trace(`dial ${relayed ? 'relayed' : 'webrtc'} to ${e.presence.name} ok in ${Math.round(performance.now() - dialStartMs)} ms`);
        e.lastError = undefined;
        e.dialAttempts = 0;
        e.nextDialAtMs = Date.now();
      })
      .catch((err: unknown) => {
        e.lastError = err instanceof Error ? err.message : String(err);
        this.trace(`dial ${relayed ? 'relayed' : 'webrtc'} to ${e.presence.name} failed (attempt ${e.dialAttempts}, ${Math.round(performance.now() - dialStartMs)} ms of ${timeoutMs}): ${e.lastError}`);
        e.nextDialAtMs = Date.now() + retryDelayMs(e.dialAttempts);
        if (!relayed && this.kindOf(peerId) !== 'direct') {
          // The answerer usually completed its side of the hung dial and keeps a connection we do not have; while
          // it does, every new dial to it hangs the same way (measured: 4 in a row, until its half-open rule
          // closed the last one). Tell it to drop them, and retry once that frame had time to arrive.
          this.sendFrame(e, { kind: 'directReset' });
          e.turn = { who: 'theirs', untilMs: Date.now() + NET_LIMITS.dialTurnMs };
          e.nextDialAtMs = Math.max(e.nextDialAtMs, Date.now() + NET_LIMITS.directResetSettleMs);
        }
      })
      .finally(() => {
        watchdog?.done();
        e.dialing = false;
        this.ensureOutbound(e);
        this.changed();
        // Relayed link up: start the WebRTC upgrade now rather than at the next tick (or a quick retry when due).
        if (!this.stopped && this.peers.get(peerId) === e) setTimeout(() => this.maybeDial(e), Math.max(0, e.nextDialAtMs - Date.now()));
      });
  }

  /**
   * Test hook (e2e/relayed-fallback.spec.ts): never dial (or keep) a direct WebRTC connection to this node, so the
   * pair stays on the relayed connection. Both tabs of the pair must block each other (either may dial).
   */
  blockDirect(nodeId: string): void {
    this.directBlocked.add(nodeId);
    const peerId = this.byNodeId.get(nodeId);
    if (peerId) this.dropDirect(peerId, 'blocked by test hook');
  }

  private canWebRTC(): boolean {
    return announcesWebRTC(this.node.getMultiaddrs().map((m) => m.toString()));
  }

  /** Closes every direct connection to a peer (they are dead on its side); peering moves to the relayed one. */
  private dropDirect(peerId: string, why: string): void {
    for (const c of this.connectionsTo(peerId)) {
      if (!isDirect(c)) continue;
      this.trace(`closing ${c.remoteAddr.toString()}: ${why}`);
      void c.close().catch(() => undefined);
    }
  }

  private connectionsTo(peerId: string): Connection[] {
    return this.node.getConnections().filter((c) => c.remotePeer.toString() === peerId && c.status === 'open');
  }

  private kindOf(peerId: string): ConnectionKind {
    const conns = this.connectionsTo(peerId);
    if (conns.some(isDirect)) return 'direct';
    return conns.length > 0 ? 'relayed' : 'none';
  }

  private bestConnection(peerId: string): Connection | undefined {
    const conns = this.connectionsTo(peerId);
    return conns.find(isDirect) ?? conns[0];
  }

  private onConnectionChange(conn: Connection, opened: boolean): void {
    const peerId = conn.remotePeer.toString();
    this.trace(`${opened ? 'open' : 'close'} ${conn.direction} ${conn.remoteAddr.toString()}${conn.limits ? ' (limited)' : ''}`);
    if (opened && isDirect(conn) && this.firstDirectAtMs === undefined) this.firstDirectAtMs = performance.now() - this.startedAtMs;
    if (peerId === this.hub.peerId) {
      this.hubConnected = this.kindOf(peerId) !== 'none';
      if (!opened) void this.reconnectHub();
    }
    const e = this.peers.get(peerId);
    if (opened && e && isDirect(conn) && this.directBlocked.has(e.presence.nodeId)) {
      this.trace(`closing direct connection to ${e.presence.name} (blocked by test hook)`);
      void conn.close().catch(() => undefined);
    }
    if (e) {
      if (!opened && e.outConn === conn) {
        e.out = undefined;
        e.outConn = undefined;
      }
      if (!opened && this.kindOf(peerId) === 'none') e.inVerified = false;
      this.ensureOutbound(e);
    }
    this.changed();
  }

  /* ------------------------------------------------------------------ peering streams */

  /** Keeps one outbound peering stream per peer, on the best connection (moving to direct when it appears). */
  private ensureOutbound(e: PeerEntry): void {
    if (e.outOpening || this.stopped || !this.binding) return;
    const peerId = e.presence.peerId;
    const best = this.bestConnection(peerId);
    if (!best) return;
    const healthy = e.out && e.out.status === 'open' && e.outConn?.status === 'open';
    if (healthy && (e.outConn === best || (e.outConn && isDirect(e.outConn)))) return;
    e.outOpening = true;
    const binding = this.binding;
    best
      .newStream(PEERING_PROTOCOL, { signal: AbortSignal.timeout(NET_LIMITS.dialTimeoutMs), runOnLimitedConnection: true })
      .then((s) => {
        const old = e.out;
        e.out = s;
        e.outConn = best;
        trySend(s, encodeFrame(encodePeeringFrame(helloFrom(binding))));
        // Replies to our echoes come back on the remote's stream to us; this one is write-only for us.
        s.addEventListener('close', () => {
          if (e.out === s) {
            e.out = undefined;
            e.outConn = undefined;
            this.updateUp(e);
          }
        });
        if (old && old !== s) void old.close().catch(() => undefined);
        while (e.queue.length > 0 && trySend(s, encodeFrame(e.queue[0] as Uint8Array))) e.queue.shift();
        this.updateUp(e);
      })
      .catch((err: unknown) => {
        e.lastError = `peering stream: ${err instanceof Error ? err.message : String(err)}`;
      })
      .finally(() => {
        e.outOpening = false;
        this.changed();
      });
  }

  private onInboundPeering(stream: Stream, conn: Connection): void {
    const peerId = conn.remotePeer.toString();
    const dec = new FrameDecoder(NET_LIMITS.peeringFrameBytesMax);
    let verified: string | undefined;
    stream.addEventListener('message', (ev) => {
      try {
        for (const raw of dec.push(ev.data.subarray())) {
          const f = decodePeeringFrame(raw);
          if (verified === undefined) {
            if (f.kind !== 'hello') throw new Error('first peering frame must be hello');
            if (!verifyBinding({ nodeId: f.nodeId, peerId, signature: f.signature })) throw new Error('hello binding does not verify');
            verified = f.nodeId;
            this.onVerifiedHello(peerId, f.nodeId);
            continue;
          }
          this.onPeeringFrame(peerId, verified, f);
        }
      } catch (err) {
        stream.abort(err instanceof Error ? err : new Error(String(err)));
      }
    });
    stream.addEventListener('close', () => {
      const e = this.peers.get(peerId);
      if (e && verified !== undefined) {
        e.inVerified = false;
        this.updateUp(e);
        // The remote will reopen on its best connection; we learn about it through a new inbound stream.
      }
    });
  }

  private onVerifiedHello(peerId: string, nodeId: string): void {
    const e = this.peers.get(peerId);
    // Presence not heard yet (or stale): the hello still verified, so we accept it once presence arrives.
    if (!e || e.presence.nodeId !== nodeId) {
      this.pendingHello.set(peerId, nodeId);
      return;
    }
    e.inVerified = true;
    this.ensureOutbound(e);
    this.updateUp(e);
  }

  private onPeeringFrame(peerId: string, nodeId: string, f: PeeringFrame): void {
    const e = this.peers.get(peerId);
    switch (f.kind) {
      case 'data':
        if (this.faults.dropsInbound(nodeId)) return;
        this.emit('peeringMessage', { fromNodeId: nodeId, data: f.data });
        return;
      case 'echo':
        if (e) this.sendFrame(e, { kind: 'echoReply', seq: f.seq });
        return;
      case 'echoReply': {
        const t0 = e?.echoSentAt.get(f.seq);
        if (e && t0 !== undefined) {
          e.echoSentAt.delete(f.seq);
          e.peeringRttMs = performance.now() - t0;
        }
        return;
      }
      case 'directReset':
        if (!e) return;
        this.dropDirect(e.presence.peerId, 'the peer reports its dial to us failed');
        // A repeat while our turn runs changes nothing (and a peer sending a stream of them gets one dial, not many).
        if (!this.canWebRTC() || (e.turn?.who === 'mine' && Date.now() < e.turn.untilMs)) return;
        // Our turn to dial, after the dropped connection is gone on both sides.
        e.turn = { who: 'mine', untilMs: Date.now() + NET_LIMITS.dialTurnMs };
        e.nextDialAtMs = Date.now() + NET_LIMITS.directResetSettleMs;
        setTimeout(() => this.maybeDial(e), NET_LIMITS.directResetSettleMs);
        return;
      case 'hello':
        return; // a repeated hello is harmless
    }
  }

  private sendFrame(e: PeerEntry, f: PeeringFrame): void {
    const bytes = encodePeeringFrame(f);
    if (e.out && trySend(e.out, encodeFrame(bytes))) return;
    if (e.queue.length >= NET_LIMITS.peeringQueueFramesMax) e.queue.shift();
    e.queue.push(bytes);
    this.ensureOutbound(e);
  }

  private isUp(e: PeerEntry): boolean {
    return e.inVerified && e.out !== undefined && e.out.status === 'open';
  }

  private updateUp(e: PeerEntry): void {
    const up = this.isUp(e);
    if (up !== e.wasUp) {
      e.wasUp = up;
      this.emit('peerStatus', { nodeId: e.presence.nodeId, up });
    }
    this.changed();
  }

  private async measureLatency(): Promise<void> {
    for (const e of this.peers.values()) {
      if (this.kindOf(e.presence.peerId) === 'none') continue;
      if (this.isUp(e)) {
        const seq = this.echoSeq++;
        e.echoSentAt.set(seq, performance.now());
        if (e.echoSentAt.size > 16) e.echoSentAt.delete(e.echoSentAt.keys().next().value as number);
        this.sendFrame(e, { kind: 'echo', seq });
      }
      const conn = this.bestConnection(e.presence.peerId);
      // Ping only direct links (a relayed one is limited, and the relay's ping allowance is one stream).
      if (!conn || !isDirect(conn) || e.pinging) continue;
      e.pinging = true;
      this.node.services.ping
        .ping(conn.remotePeer, { signal: AbortSignal.timeout(NET_LIMITS.pingTimeoutMs), runOnLimitedConnection: true })
        .then((ms) => {
          e.pingMs = ms;
          this.changed();
        })
        .catch(() => undefined)
        .finally(() => {
          e.pinging = false;
        });
    }
  }

  /** Recent networking events (bounded), for the dashboard and for diagnosing dials. */
  readonly traceLog: string[] = [];
  private trace(line: string): void {
    if (this.traceLog.length >= 200) this.traceLog.shift();
    this.traceLog.push(`${Math.round(performance.now() - this.startedAtMs)} ms ${line}`);
  }

  private changed(): void {
    if (this.changeQueued) return;
    this.changeQueued = true;
    queueMicrotask(() => {
      this.changeQueued = false;
      this.emit('change', this.snapshot());
    });
  }
}

/**
 * Cuts a hung WebRTC dial short. The hang measured here happens after ICE has connected: the dialer waits for its
 * 'init' data channel to open and it never does, while the answerer already has the connection (see NET_LIMITS).
 * A healthy dial goes from reading ICE candidates to closing the signalling stream in well under a second, so
 * when that takes longer than afterIceMaxMs(attempt) the dial is aborted (and retried, the turn passed) instead of
 * waiting out the whole dial timeout. Driven by the transport's own progress events.
 */
class HungDialWatchdog {
  private readonly ctl = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  readonly signal = this.ctl.signal;

  constructor(private readonly maxMs: number) {}

  onProgress(type: string): void {
    if (type === 'webrtc:read-ice-candidates' && this.timer === undefined) {
      this.timer = setTimeout(() => this.ctl.abort(new Error(`no connection ${this.maxMs} ms after ICE began (hung dial)`)), this.maxMs);
    } else if (type === 'webrtc:close-signaling-stream') this.done();
  }

  done(): void {
    clearTimeout(this.timer);
  }
}

/** A node that listens for WebRTC (a tab) announces a `/webrtc` address; Node processes have none. */
function announcesWebRTC(multiaddrs: readonly string[]): boolean {
  return multiaddrs.some((m) => m.includes('/webrtc'));
}

/** A WebRTC connection is direct even though its address names the relay (used only for signalling). */
export function isDirect(conn: Connection): boolean {
  return conn.remoteAddr.toString().includes('/webrtc') && conn.limits === undefined;
}

/** Where the page keeps its libp2p key (per node name), so a reload keeps its peer ID. */
export interface PeerKeyStore {
  load(): Uint8Array | undefined;
  save(protobuf: Uint8Array): void;
}

/**
 * Builds and starts the page's libp2p node. With a key store the peer ID survives reloads: fewer identities
 * for the hub to track (gossipsub retains scores of departed peers for an hour and penalizes many identities
 * from one IP — every tab is 127.0.0.1), and peers recognize the node at once.
 */
export async function createBrowserLibp2p(hub: HubInfo, identity: NetIdentity, keyStore?: PeerKeyStore): Promise<BrowserNet> {
  const startedAtMs = performance.now();
  const privateKey = await loadOrCreatePeerKey(keyStore);
  const node = await createLibp2p({
    privateKey,
    addresses: { listen: ['/p2p-circuit', '/webrtc'] },
    transports: [webSockets(), webRTC({ rtcConfiguration: { iceServers: [] } }), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // Loopback/private addresses are all we have (tabs on one machine): allow dialing them.
    connectionGater: { denyDialMultiaddr: () => false },
    services: {
      identify: identify(),
      ping: ping(),
      // All tabs share 127.0.0.1: no IP-colocation penalty (gossip.ts says why).
      pubsub: gossipsub(presenceGossipsubOptions()),
    },
  });
  const net = new BrowserNet(node, hub, identity, startedAtMs);
  await net.start();
  return net;
}

async function loadOrCreatePeerKey(store: PeerKeyStore | undefined): Promise<PrivateKey> {
  const saved = store?.load();
  if (saved) {
    try {
      return privateKeyFromProtobuf(saved);
    } catch {
      // unreadable: make a new one
    }
  }
  const key = await generateKeyPair('Ed25519');
  store?.save(privateKeyToProtobuf(key));
  return key;
}

export type { PeerId };

/**
 * Writes to a stream if it still takes writes. A stream can be 'open' while its write side is already closing
 * (the remote tab closed or reloaded): libp2p then throws "Cannot write to a stream that is closing", which used
 * to surface as an uncaught page error. False means the caller keeps the frame queued for the next stream.
 */
function trySend(stream: Stream, bytes: Uint8Array): boolean {
  if (stream.status !== 'open' || stream.writeStatus !== 'writable') return false;
  try {
    stream.send(bytes);
    return true;
  } catch {
    return false;
  }
}
