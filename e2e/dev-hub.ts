/**
 * Throwaway stand-in for src/hub while it is being written: a libp2p relay (WebSockets, circuit-relay-v2 server,
 * identify, ping, gossipsub on `iscp/peers/1`) plus HTTP serving dist/ and GET /api/hub. It has NO L1 ledger:
 * nodeconn streams are accepted and drained. playwright.config.ts uses it only when src/hub/main.ts is absent.
 * Usage: npx tsx e2e/dev-hub.ts --port 8787
 */
// libp2p 3 uses Promise.withResolvers (Node 22+); Node 20 needs this polyfill before libp2p loads.
import './node20-polyfill';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { createLibp2p } from 'libp2p';
import { webSockets } from '@libp2p/websockets';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify } from '@libp2p/identify';
import { ping } from '@libp2p/ping';
import { gossipsub } from '@libp2p/gossipsub';
import { circuitRelayServer } from '@libp2p/circuit-relay-v2';

const portArg = process.argv.indexOf('--port');
const port = portArg >= 0 ? Number(process.argv[portArg + 1]) : 8787;
const wsPort = port + 1;

const node = await createLibp2p({
  addresses: { listen: [`/ip4/127.0.0.1/tcp/${wsPort}/ws`] },
  transports: [webSockets()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  connectionManager: { maxConnections: 500 },
  services: {
    identify: identify(),
    ping: ping(),
    relay: circuitRelayServer({ reservations: { maxReservations: 256, applyDefaultLimit: false } }),
    pubsub: gossipsub({ globalSignaturePolicy: 'StrictSign', allowPublishToZeroTopicPeers: true }),
  },
});
node.services.pubsub.subscribe('iscp/peers/1');
await node.handle('/iscp/nodeconn/1.0.0', (stream) => {
  stream.addEventListener('message', () => {});
});

const dist = join(process.cwd(), 'dist');
const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.json': 'application/json' };
createServer((req, res) => {
  void (async () => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/api/hub') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ peerId: node.peerId.toString(), multiaddrs: node.getMultiaddrs().map(String), confirmDelayMs: 50 }));
      return;
    }
    const path = normalize(url.pathname === '/' ? '/index.html' : url.pathname);
    try {
      const body = await readFile(join(dist, path));
      res.setHeader('content-type', types[extname(path)] ?? 'application/octet-stream');
      res.end(body);
    } catch {
      res.statusCode = 404;
      res.end('not found');
    }
  })();
}).listen(port, '127.0.0.1', () => console.log(`dev hub on http://127.0.0.1:${port}, libp2p ${node.getMultiaddrs().join(' ')}`));
