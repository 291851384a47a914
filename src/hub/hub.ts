import './polyfill';
import { mkdirSync, accessSync, constants as fsConstants } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { createLibp2p, type Libp2p } from 'libp2p';
import { webSockets } from '@libp2p/websockets';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify } from '@libp2p/identify';
import { ping } from '@libp2p/ping';
import { circuitRelayServer } from '@libp2p/circuit-relay-v2';
import { gossipsub } from '@libp2p/gossipsub';
import { Ledger } from '../ledger/ledger';
import { Faucet, FAUCET_AMOUNT_DEFAULT, faucetGenesis, HUB_FAUCET_LIMITS } from '../ledger/faucet';
import { loadOrCreateFaucetKey } from '../ledger/faucetkey';
import { describeOpenedLog, FileLog, LEDGER_LOG_FILE } from '../ledger/filelog';
import { PersistentLedger, replayLedger } from '../ledger/persistent';
import { createSignatureVerifier } from '../crypto/verifier';
import { NodeConnServer } from '../nodeconn/server';
import { serveNodeConn } from '../nodeconn/libp2p';
import type { HubConfig } from './config';
import { createHubHttpServer, type HubInfo } from './http';
import { loadOrCreateHubKey } from './identity';
import { blsVerifyForHub } from './bls';
import { originAllowed, originAllowlist } from './config';
import { HUB_LIMITS, hubLimits, type HubLimits, type HubLimitsOverride } from './limits';
import { WebSocketGuard } from './ws-guard';
import { RelayGuard } from './relay-guard';

/** Browser tabs announce themselves here; the hub subscribes so the topic has a mesh from the first tab on. */
export const PEERS_TOPIC = 'iscp/peers/1';
/** Kept for importers; the values live in limits.ts (HUB_LIMITS) with every other hub bound. */
export const RELAY_RESERVATIONS_MAX = HUB_LIMITS.relayReservationsMax;
export const HUB_CONNECTIONS_MAX = HUB_LIMITS.connectionsMax;
export const HUB_INBOUND_CONNECTIONS_PER_SECOND_MAX = HUB_LIMITS.inboundConnectionsPerSecondMax;
export const HUB_INCOMING_PENDING_CONNECTIONS_MAX = HUB_LIMITS.incomingPendingConnectionsMax;

export class HubStartError extends Error {
  override readonly name = 'HubStartError';
}

export interface Hub {
  readonly node: Libp2p;
  readonly http: Server;
  readonly httpPort: number;
  readonly info: () => HubInfo;
  readonly ledger: PersistentLedger;
  readonly limits: HubLimits;
  /** Live counters of the guards (tests and diagnostics). */
  readonly guards: {
    readonly wsPending: () => number;
    readonly wsPendingFrom: (ip: string) => number;
    readonly wsRefused: () => number;
    readonly relayDenied: () => number;
    readonly relayReservations: () => number;
    readonly nodeconnPartialFrameBytes: () => number;
  };
  stop(): Promise<void>;
}

export interface StartHubOptions {
  /** Overrides of HUB_LIMITS (tests use small ones). */
  readonly limits?: HubLimitsOverride;
}

export async function startHub(config: HubConfig, log: (line: string) => void = (l) => console.log(l), opts: StartHubOptions = {}): Promise<Hub> {
  const limits = hubLimits(opts.limits);
  if (config.dataDir !== undefined) prepareDataDir(config.dataDir);
  const privateKey = await loadOrCreateHubKey(config.dataDir);

  // Ledger (+ its log) first: a data folder that does not replay should stop us before we open ports.
  const faucetKp = loadOrCreateFaucetKey(config.dataDir, log); // random, kept in the data folder (0600)
  const core = new Ledger({
    verifier: createSignatureVerifier({ ed25519Impl: 'node', bls: blsVerifyForHub }),
    confirmDelayMs: config.confirmDelayMs,
    genesis: [faucetGenesis(faucetKp)],
  });
  let fileLog: FileLog | undefined;
  if (config.dataDir !== undefined) {
    const opened = FileLog.open(join(config.dataDir, LEDGER_LOG_FILE), { repair: config.repair });
    fileLog = opened.log;
    const n = replayLedger(core, opened.records);
    log(`ledger: replayed ${n.booked} transactions (${n.confirmed} confirmations) from ${opened.log.path}${describeOpenedLog(opened)}`);
  }
  const ledger = new PersistentLedger(core, fileLog);
  const faucet = new Faucet(core, faucetKp, FAUCET_AMOUNT_DEFAULT, { limits: HUB_FAUCET_LIMITS, nowMs: () => Date.now() });

  // Web origins allowed on the HTTP API and the WebSocket; the hub's own needs the real HTTP port (known below).
  let allowed = originAllowlist(config.httpPort, config.allowedOrigins);
  const isAllowed = (origin: string | undefined): boolean => originAllowed(allowed, origin);
  const wsGuard = new WebSocketGuard({
    pendingMax: limits.wsPendingMax,
    pendingPerIpMax: limits.wsPendingPerIpMax,
    handshakeTimeoutMs: limits.wsHandshakeTimeoutMs,
    originAllowed: isAllowed,
    log,
  });
  const relayGuard = new RelayGuard(limits.relayReservationsPerIpMax, log);

  const node = await createLibp2p({
    privateKey,
    addresses: { listen: [`/ip4/${config.host}/tcp/${config.wsPort}/ws`] },
    transports: [wsGuard.wrapTransport(webSockets())],
    connectionGater: relayGuard.gater,
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // Every tab and CLI connects from 127.0.0.1: libp2p's per-host inbound rate limit (5/s) and pending-upgrade
    // cap (10) are meant for public nodes and made tabs of a freshly opened committee fail to reach the hub.
    connectionManager: {
      maxConnections: limits.connectionsMax,
      inboundConnectionThreshold: limits.inboundConnectionsPerSecondMax,
      maxIncomingPendingConnections: limits.incomingPendingConnectionsMax,
    },
    services: {
      identify: identify(),
      ping: ping(),
      // Every tab reserves a slot (so other tabs can reach it to set up WebRTC). Default relayed connections die
      // after 2 min or 128 KiB, which cut committees off mid-run; the hub is a local rendezvous for tabs the user
      // opened, so relayed connections get no duration/data limit at all. Per-IP cap: relayGuard.
      relay: circuitRelayServer({ reservations: { maxReservations: limits.relayReservationsMax, applyDefaultLimit: false } }),
      // Every tab connects from 127.0.0.1, and gossipsub keeps a departed peer's score for an hour: with the
      // default IP-colocation penalty the hub starts ignoring new tabs after about a dozen tab identities.
      pubsub: gossipsub({
        globalSignaturePolicy: 'StrictSign',
        allowPublishToZeroTopicPeers: true,
        scoreParams: { IPColocationFactorWeight: 0 },
      }),
    },
  }).catch((e: Error) => {
    fileLog?.close();
    throw portError(e, config.wsPort, 'libp2p WebSocket');
  });
  node.services.pubsub.subscribe(PEERS_TOPIC);
  wsGuard.watch(node);
  relayGuard.bind({ reservations: () => node.services.relay.reservations, connectionsOf: (p) => node.getConnections(p) });
  node.addEventListener('peer:disconnect', (ev) => relayGuard.disconnected(ev.detail));

  // The ledger's clock: a timer scheduled for exactly the next confirmation (pure core, timer at the edge).
  let timer: ReturnType<typeof setTimeout> | undefined;
  const nodeConnServer = new NodeConnServer(core, faucet, (l) => log(l), (tx, nowMs) => ledger.submit(tx, nowMs));
  const binding = await serveNodeConn(node, nodeConnServer, { nowMs: () => Date.now(), log, limits: limits.nodeconnStream });
  const runTick = () => {
    timer = undefined;
    binding.deliver(nodeConnServer.route(ledger.tick(Date.now())));
    schedule();
  };
  const schedule = () => {
    const next = core.nextConfirmationAtMs();
    if (next === undefined || timer !== undefined) return;
    timer = setTimeout(runTick, Math.max(0, next - Date.now()));
  };
  nodeConnServer.onBooked = schedule;
  // Faucet requests are paid in batches: the first one queued opens a short window, then one transaction pays all.
  let faucetTimer: ReturnType<typeof setTimeout> | undefined;
  nodeConnServer.onFaucetQueued = () => {
    faucetTimer ??= setTimeout(() => {
      faucetTimer = undefined;
      binding.deliver(nodeConnServer.flushFaucet(Date.now()));
    }, limits.faucetBatchWindowMs);
  };
  schedule(); // replayed but unconfirmed transactions

  const info = (): HubInfo => ({
    peerId: node.peerId.toString(),
    multiaddrs: node
      .getMultiaddrs()
      .map((m) => m.toString())
      .filter((s) => s.includes('/ws')),
    confirmDelayMs: config.confirmDelayMs,
  });
  const http = createHubHttpServer(config.distDir, info, {
    originAllowed: isAllowed,
    log,
    limits: { connectionsMax: limits.httpConnectionsMax, headersTimeoutMs: limits.httpHeadersTimeoutMs, requestTimeoutMs: limits.httpRequestTimeoutMs },
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', (e) => reject(portError(e, config.httpPort, 'HTTP')));
    http.listen(config.httpPort, config.host, () => resolve());
  }).catch(async (e: Error) => {
    binding.stop();
    wsGuard.close();
    await node.stop();
    fileLog?.close();
    throw e;
  });
  const addr = http.address();
  const httpPort = typeof addr === 'object' && addr ? addr.port : config.httpPort;
  allowed = originAllowlist(httpPort, config.allowedOrigins);

  return {
    node,
    http,
    httpPort,
    info,
    ledger,
    limits,
    guards: {
      wsPending: () => wsGuard.pendingCount,
      wsPendingFrom: (ip) => wsGuard.pendingFrom(ip),
      wsRefused: () => wsGuard.refusedTotal,
      relayDenied: () => relayGuard.deniedTotal,
      relayReservations: () => node.services.relay.reservations.size,
      nodeconnPartialFrameBytes: () => binding.partialFrameBytes,
    },
    async stop() {
      if (timer) clearTimeout(timer);
      binding.stop();
      wsGuard.close();
      await new Promise<void>((r) => http.close(() => r()));
      http.closeAllConnections();
      await node.stop();
      fileLog?.close();
    },
  };
}

function prepareDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, fsConstants.R_OK | fsConstants.W_OK);
  } catch (e) {
    throw new HubStartError(`data folder ${dir} is not usable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): pass --data DIR for another one, or --memory`);
  }
}

function portError(e: Error, port: number, what: string): Error {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  if (code === 'EADDRINUSE' || /EADDRINUSE|address already in use/i.test(e.message))
    return new HubStartError(`${what} port ${port} is already in use (another hub running?): pass --port N (WebSockets use N+1) or stop the other process`);
  return e;
}
