import { createLibp2p, type Libp2p } from 'libp2p';
import { multiaddr } from '@multiformats/multiaddr';
import { webSockets } from '@libp2p/websockets';
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify } from '@libp2p/identify';
import { ping } from '@libp2p/ping';
import { gossipsub } from '@libp2p/gossipsub';
import { ed25519 } from '@noble/curves/ed25519.js';
import type { PrivateKey } from '@libp2p/interface';
import { toHex } from '../protocol/bytes';
import { BrowserNet } from './browser-net';
import { signBinding } from './binding';
import { NET_LIMITS } from './limits';
import { presenceGossipsubOptions } from './gossip';
import type { HubInfo, PeerView } from './types';

/**
 * Node-side peering (the CLI, and Node stand-ins for tabs in tests): the SAME presence, node-key binding, hello
 * frames, dial rule and peering streams as a tab, because it IS the tab's `BrowserNet` class — only the libp2p
 * underneath differs. Node has no WebRTC, so the transports are WebSockets (to the hub) and circuit relay v2
 * (listening on `/p2p-circuit`, a reserved slot on the hub, like every tab): every link to a tab is relayed.
 * BrowserNet's WebRTC upgrade attempt towards us or from us fails fast (no transport / no signalling handler) and is
 * retried with its usual backoff; peering keeps flowing relayed, which is what a tab does when WebRTC fails.
 */
export type NodeNet = BrowserNet;

export interface NodeNetIdentity {
  /** Shown to others in presence (the dashboard's peer list). At most 64 characters. */
  readonly name: string;
  /** The node's ed25519 secret key (32-byte seed). Signs the peer-ID binding; never sent or logged. */
  readonly secretKey: Uint8Array;
  /**
   * The libp2p key (fresh when omitted). Keep one per node across runs, as tabs do per node name: the hub's
   * gossipsub scores every identity from one IP for an hour, and past ~14 identities from 127.0.0.1 it graylists
   * them all (see e2e/hub-process.ts) — a CLI with a new peer ID per command would cut the tabs off.
   */
  readonly peerKey?: PrivateKey;
}

export const NODE_NET_LIMITS = {
  /** GET /api/hub must answer within this. */
  hubInfoTimeoutMs: 5_000,
  /** Presence names longer than this are dropped by every receiver (presence.ts). */
  nameCharsMax: 64,
  /**
   * Dial attempts to the hub before giving up, and the pause between them. The hub's libp2p caps new connections
   * per second from one host (inboundConnectionThreshold; libp2p's default 5/s refused us in a burst of tabs, all on
   * 127.0.0.1) and pending upgrades; a busy hub can also drop one handshake.
   */
  hubDialAttempts: 4,
  hubDialRetryMs: 1_000,
} as const;

/** A hub that did not answer, or answered nonsense. The message is meant for the user as is. */
export class HubUnreachableError extends Error {
  override readonly name = 'HubUnreachableError';
}

/** GET /api/hub from a hub URL (the page does the same against its own origin). */
export async function fetchHubInfoFrom(hubUrl: string, timeoutMs: number = NODE_NET_LIMITS.hubInfoTimeoutMs): Promise<HubInfo> {
  let o: Partial<HubInfo>;
  try {
    const res = await fetch(new URL('/api/hub', hubUrl), { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    o = (await res.json()) as Partial<HubInfo>;
  } catch (e) {
    const cause = e instanceof Error ? ((e.cause as Error | undefined)?.message ?? e.message) : String(e);
    throw new HubUnreachableError(`cannot reach the hub at ${hubUrl} (${cause}); start it with \`npm run hub\` or pass --hub URL`);
  }
  if (typeof o.peerId !== 'string' || !Array.isArray(o.multiaddrs) || o.multiaddrs.length === 0) throw new HubUnreachableError(`${hubUrl}/api/hub gave no peer ID or addresses`);
  return { peerId: o.peerId, multiaddrs: preferHubHost(o.multiaddrs.map(String), hubUrl), confirmDelayMs: Number(o.confirmDelayMs ?? 0) };
}

/**
 * A hub listening on every interface (--host 0.0.0.0) lists an address per interface, loopback first; a node on
 * another machine must dial the one it reached the hub's HTTP on. Stable order otherwise.
 */
export function preferHubHost(multiaddrs: readonly string[], hubUrl: string): string[] {
  let host: string;
  try {
    host = new URL(hubUrl).hostname;
  } catch {
    return [...multiaddrs];
  }
  const mine = (m: string): boolean => m.startsWith(`/ip4/${host}/`) || m.startsWith(`/dns4/${host}/`) || m.startsWith(`/dns/${host}/`);
  return [...multiaddrs.filter(mine), ...multiaddrs.filter((m) => !mine(m))];
}

/** hex(ed25519 public key) of a secret key: the node ID others know us by. */
export function nodeIdOf(secretKey: Uint8Array): string {
  return toHex(ed25519.getPublicKey(secretKey));
}

/** Builds and starts a Node libp2p node speaking the tabs' peering protocol through the hub's relay. */
export async function createNodeNet(hub: HubInfo, id: NodeNetIdentity): Promise<NodeNet> {
  if (id.name.length === 0 || id.name.length > NODE_NET_LIMITS.nameCharsMax) throw new RangeError(`node name must be 1..${NODE_NET_LIMITS.nameCharsMax} characters`);
  const startedAtMs = performance.now();
  const node = await createLibp2p({
    ...(id.peerKey ? { privateKey: id.peerKey } : {}),
    addresses: { listen: ['/p2p-circuit'] },
    transports: [webSockets(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // The hub and every relayed address are loopback/private on a classroom machine.
    connectionGater: { denyDialMultiaddr: () => false },
    // libp2p gives one address 6 s by default; a relayed dial on a loaded machine can take longer. BrowserNet's
    // own dial timeout (NET_LIMITS.dialTimeoutMs) still bounds every attempt.
    connectionManager: { addressDialTimeout: NET_LIMITS.dialTimeoutMs },
    services: {
      identify: identify(),
      ping: ping(),
      // The tabs' own options: without them this node's score of the hub sank below gossipsub's graylist once
      // ~14 identities from 127.0.0.1 had been met (gossip.ts), and a CLI run then heard no presence at all.
      pubsub: gossipsub(presenceGossipsubOptions()),
    },
  });
  try {
    await dialHub(node, hub);
  } catch (e) {
    await Promise.resolve(node.stop()).catch(() => undefined);
    throw e;
  }
  const nodeId = nodeIdOf(id.secretKey);
  const net = new BrowserNet(node, hub, { nodeId, name: id.name, signBinding: (peerId) => Promise.resolve(signBinding(id.secretKey, peerId)) }, startedAtMs);
  try {
    await net.start();
  } catch (e) {
    await Promise.resolve(node.stop()).catch(() => undefined);
    throw new HubUnreachableError(e instanceof Error ? e.message : String(e));
  }
  return net;
}

/** Connects to the hub with a few retries; BrowserNet.start then finds the connection open. */
async function dialHub(node: Libp2p, hub: HubInfo): Promise<void> {
  const addr = hub.multiaddrs.find((m) => m.includes('/ws')) ?? hub.multiaddrs[0];
  let last: unknown;
  for (let attempt = 1; attempt <= NODE_NET_LIMITS.hubDialAttempts && addr; attempt++) {
    try {
      await node.dial(multiaddr(addr), { signal: AbortSignal.timeout(NET_LIMITS.dialTimeoutMs) });
      return;
    } catch (e) {
      last = e;
      if (attempt < NODE_NET_LIMITS.hubDialAttempts) await new Promise((r) => setTimeout(r, NODE_NET_LIMITS.hubDialRetryMs));
    }
  }
  throw new HubUnreachableError(`cannot open a libp2p connection to the hub at ${addr ?? '(no address)'}: ${last instanceof Error ? last.message : String(last)}`);
}

/** Peers whose presence we saw, looked up by name or node ID (a unique prefix of ≥ 8 hex digits also works). */
export function findPeer(peers: readonly PeerView[], nameOrId: string): PeerView | undefined {
  const byName = peers.filter((p) => p.name === nameOrId);
  if (byName.length === 1) return byName[0];
  const s = nameOrId.toLowerCase();
  if (/^[0-9a-f]{8,64}$/.test(s)) {
    const byId = peers.filter((p) => p.nodeId.startsWith(s));
    if (byId.length === 1) return byId[0];
  }
  return undefined;
}
