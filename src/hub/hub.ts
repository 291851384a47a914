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

/** Browser tabs announce themselves here; the hub subscribes so the topic has a mesh from the first tab on. */
export const PEERS_TOPIC = 'iscp/peers/1';
/**
 * Relay limits. Every tab reserves a slot (so other tabs can reach it to set up WebRTC), hence 128 rather than
 * the default 15. Default relayed connections die after 2 min or 128 KiB, which cut committees off mid-run; the hub
 * is a local rendezvous for tabs the user opened, so relayed connections get no duration/data limit at all.
 */
export const RELAY_RESERVATIONS_MAX = 128;
export const HUB_CONNECTIONS_MAX = 512;
/** A committee of tabs opening at once, plus the CLI, all from one host (see the connection manager below). */
export const HUB_INBOUND_CONNECTIONS_PER_SECOND_MAX = 200;
export const HUB_INCOMING_PENDING_CONNECTIONS_MAX = 64;

export class HubStartError extends Error {
  override readonly name = 'HubStartError';
}

export interface Hub {
  readonly node: Libp2p;
  readonly http: Server;
  readonly httpPort: number;
  readonly info: () => HubInfo;
  readonly ledger: PersistentLedger;
  stop(): Promise<void>;
}

export async function startHub(config: HubConfig, log: (line: string) => void = (l) => console.log(l)): Promise<Hub> {
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

  const node = await createLibp2p({
    privateKey,
    addresses: { listen: [`/ip4/${config.host}/tcp/${config.wsPort}/ws`] },
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // Every tab and CLI connects from 127.0.0.1: libp2p's per-host inbound rate limit (5/s) and pending-upgrade
    // cap (10) are meant for public nodes and made tabs of a freshly opened committee fail to reach the hub.
    connectionManager: {
      maxConnections: HUB_CONNECTIONS_MAX,
      inboundConnectionThreshold: HUB_INBOUND_CONNECTIONS_PER_SECOND_MAX,
      maxIncomingPendingConnections: HUB_INCOMING_PENDING_CONNECTIONS_MAX,
    },
    services: {
      identify: identify(),
      ping: ping(),
      relay: circuitRelayServer({ reservations: { maxReservations: RELAY_RESERVATIONS_MAX, applyDefaultLimit: false } }),
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

  // The ledger's clock: a timer scheduled for exactly the next confirmation (pure core, timer at the edge).
  let timer: ReturnType<typeof setTimeout> | undefined;
  const nodeConnServer = new NodeConnServer(core, faucet, (l) => log(l), (tx, nowMs) => ledger.submit(tx, nowMs));
  const binding = await serveNodeConn(node, nodeConnServer, { nowMs: () => Date.now(), log });
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
  schedule(); // replayed but unconfirmed transactions

  const info = (): HubInfo => ({
    peerId: node.peerId.toString(),
    multiaddrs: node
      .getMultiaddrs()
      .map((m) => m.toString())
      .filter((s) => s.includes('/ws')),
    confirmDelayMs: config.confirmDelayMs,
  });
  const http = createHubHttpServer(config.distDir, info);
  await new Promise<void>((resolve, reject) => {
    http.once('error', (e) => reject(portError(e, config.httpPort, 'HTTP')));
    http.listen(config.httpPort, config.host, () => resolve());
  }).catch(async (e: Error) => {
    await node.stop();
    fileLog?.close();
    throw e;
  });
  const addr = http.address();
  const httpPort = typeof addr === 'object' && addr ? addr.port : config.httpPort;

  return {
    node,
    http,
    httpPort,
    info,
    ledger,
    async stop() {
      if (timer) clearTimeout(timer);
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
