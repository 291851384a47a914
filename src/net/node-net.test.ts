import '../hub/polyfill';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLibp2p, type Libp2p } from 'libp2p';
import { multiaddr } from '@multiformats/multiaddr';
import { webSockets } from '@libp2p/websockets';
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify } from '@libp2p/identify';
import { gossipsub } from '@libp2p/gossipsub';
import { startHub, type Hub } from '../hub/hub';
import { parseHubArgs } from '../hub/config';
import { cryptoRng } from '../protocol/rng';
import { createNodeNet, fetchHubInfoFrom, type NodeNet } from './node-net';
import type { HubInfo } from './types';

/**
 * A long-lived Node peer (a CLI-hosted node, or a test's stand-in tab) keeps sending its presence to the hub however
 * many identities it has met from 127.0.0.1. Regression: node-net's gossipsub kept libp2p's IP-colocation penalty,
 * so after ~14 identities (CLI runs; departed ones count for an hour) it scored the hub below gossipsub's publish
 * and graylist thresholds, stopped announcing itself, and a new CLI run found no committee member
 * (src/cli/chain.test.ts failed now and then with "no committee member … is online").
 */
let hub: Hub;
let info: HubInfo;
const nets: NodeNet[] = [];

beforeAll(async () => {
  const cfg = { ...parseHubArgs(['--port', '0', '--ws-port', '0', '--memory'], {}), distDir: '/nonexistent' };
  hub = await startHub(cfg, () => undefined);
  info = await fetchHubInfoFrom(`http://127.0.0.1:${hub.httpPort}`);
});

afterAll(async () => {
  await Promise.all(nets.map((n) => n.stop()));
  await hub?.stop();
});

async function until(what: () => string, ok: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`${what()}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('node-net presence', () => {
  it('still reaches newcomers after the node has met many identities from one IP', { timeout: 60_000 }, async () => {
    const tab = await createNodeNet(info, { name: 'tab', secretKey: cryptoRng.bytes(32) });
    nets.push(tab);
    const hubAddr = info.multiaddrs.find((m) => m.includes('/ws')) as string;
    const viaRelay = multiaddr(`${hubAddr}${hubAddr.includes('/p2p/') ? '' : `/p2p/${info.peerId}`}/p2p-circuit/p2p/${tab.peerId}`);
    const pubsub = tab.node.services.pubsub;
    await until(() => 'tab holds a relay reservation', () => tab.snapshot().relayReserved, 20_000);

    // 14 short-lived identities, as many CLI runs would be: each reaches the tab through the relay (so the tab's
    // gossipsub meets it from 127.0.0.1) and leaves; its score is retained. Hub + 14 = 15 identities on one IP:
    // with the default penalty, -5 · (15 - 10)² = -125 for every peer, the hub included (graylist: -80).
    const visitors = 14;
    // One after another, ≥ 250 ms apart: the tab's libp2p takes at most 5 new inbound connections per second from
    // one host (libp2p's inboundConnectionThreshold), and every relayed connection comes from the hub's address.
    for (let i = 0; i < visitors; i++) {
      const paced = new Promise((r) => setTimeout(r, 250));
      const v: Libp2p = await createLibp2p({
        transports: [webSockets(), circuitRelayTransport()],
        connectionEncrypters: [noise()],
        streamMuxers: [yamux()],
        connectionGater: { denyDialMultiaddr: () => false },
        services: { identify: identify(), pubsub: gossipsub() },
      });
      try {
        await v.dial(viaRelay, { signal: AbortSignal.timeout(20_000) });
        await until(() => 'tab gossipsub meets the visitor', () => pubsub.getPeers().some((p) => p.equals(v.peerId)), 20_000);
      } finally {
        await v.stop();
      }
      await paced;
    }

    // A newcomer (a fresh CLI run) hears the tab only if the tab still publishes to the hub and listens to it.
    const newcomer = await createNodeNet(info, { name: 'newcomer', secretKey: cryptoRng.bytes(32) });
    nets.push(newcomer);
    const score = (): number => (pubsub as unknown as { getScore(id: string): number }).getScore(info.peerId);
    await until(() => `newcomer hears the tab (tab's score of the hub: ${score()})`, () => newcomer.snapshot().peers.some((p) => p.name === 'tab'), 15_000);
    expect(score()).toBeGreaterThanOrEqual(0);
  });
});
