import { createLibp2p, type Libp2p } from 'libp2p';
import { webSockets } from '@libp2p/websockets';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify } from '@libp2p/identify';

/**
 * A minimal libp2p node for talking nodeconn to the hub (the CLI, tests; works in a browser too). It dials only,
 * listens nowhere. The page's own node (WebRTC, relay, gossipsub) is built elsewhere and can use
 * connectNodeConn directly.
 */
export async function createNodeConnClientNode(): Promise<Libp2p> {
  return createLibp2p({
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify() },
  });
}
