import '../hub/polyfill';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Libp2p } from 'libp2p';
import { multiaddr } from '@multiformats/multiaddr';
import { balancesOf, COLOR_IOTA, COLOR_MINT, transactionId, utf8 } from '../protocol/index';
import { signTransaction } from '../crypto/ed25519';
import { wallets } from '../ledger/testkit';
import { connectNodeConn, NODECONN_PROTOCOL, type NodeConnConnection } from '../nodeconn/libp2p';
import { createNodeConnClientNode } from '../nodeconn/client-node';
import type { WaspFromNode } from '../nodeconn/messages';
import { startHub, type Hub } from './hub';
import { parseHubArgs } from './config';

const [alice, bob] = wallets(2, 99);
if (!alice || !bob) throw new Error('wallets');
let hub: Hub;
let client: Libp2p;
let conn: NodeConnConnection;
const hubLog: string[] = [];

beforeAll(async () => {
  const cfg = { ...parseHubArgs(['--port', '0', '--ws-port', '0', '--memory', '--confirm-delay-ms', '20'], {}), distDir: '/nonexistent' };
  hub = await startHub(cfg, (l) => hubLog.push(l));
  client = await createNodeConnClientNode();
  const addr = hub.info().multiaddrs[0] as string;
  conn = await connectNodeConn(client, addr, { retryAfterMs: 200 });
  conn.setId('hub.test');
});
afterAll(async () => {
  await conn?.close();
  await client?.stop();
  await hub?.stop();
});

describe('hub', () => {
  it('GET /api/hub describes the hub; / says the app is not built', async () => {
    const info = (await (await fetch(`http://127.0.0.1:${hub.httpPort}/api/hub`)).json()) as { peerId: string; multiaddrs: string[]; confirmDelayMs: number };
    expect(info.peerId).toBe(hub.node.peerId.toString());
    expect(info.confirmDelayMs).toBe(20);
    expect(info.multiaddrs.every((m) => m.includes('/ws/') && m.endsWith(`/p2p/${info.peerId}`))).toBe(true);
    const page = await fetch(`http://127.0.0.1:${hub.httpPort}/some/route`);
    expect(page.status).toBe(503);
    expect(await page.text()).toMatch(/not built/);
  });

  it('nodeconn end to end: faucet, outputs, transfer with a minted color, subscription update, confirmed tx', async () => {
    const updates: WaspFromNode[] = [];
    conn.onMessage((m) => {
      if (m.kind === 'waspFromNodeAddressUpdate') updates.push(m);
    });
    conn.subscribe(bob.address);

    const funded = await conn.requestFunds(alice.address);
    expect(funded.state).toBe('booked');
    expect((await conn.waitFinal(funded.txId, alice.address, { timeoutMs: 5000 })).state).toBe('confirmed');
    const outs = await conn.getOutputs(alice.address);
    expect(outs.map((o) => o.balances)).toEqual([balancesOf([[COLOR_IOTA, 1_000_000n]])]);

    const tx = signTransaction(
      {
        inputs: [{ txId: funded.txId, address: alice.address }],
        outputs: [
          { address: bob.address, balances: balancesOf([[COLOR_IOTA, 100n], [COLOR_MINT, 1n]]) },
          { address: alice.address, balances: balancesOf([[COLOR_IOTA, 999_899n]]) },
        ],
        dataPayload: utf8('hello'),
      },
      [alice],
    );
    const posted = await conn.postTransaction(tx);
    expect(posted).toEqual({ txId: transactionId(tx), state: 'booked', reason: '' });
    expect((await conn.waitFinal(posted.txId, bob.address, { timeoutMs: 5000 })).state).toBe('confirmed');
    const again = await conn.postTransaction(tx); // idempotent
    expect(again.state).toBe('confirmed');
    const back = await conn.getConfirmedTransaction(posted.txId);
    expect(transactionId(back)).toEqual(posted.txId);
    const bobs = await conn.getOutputs(bob.address);
    expect(bobs[0]?.balances).toEqual(balancesOf([[COLOR_IOTA, 100n], [posted.txId, 1n]]));
    expect(updates.some((u) => u.kind === 'waspFromNodeAddressUpdate' && transactionId(u.tx).every((b, i) => b === posted.txId[i]))).toBe(true);

    // a double spend of alice's funding output is rejected with its reason
    const ds = signTransaction({ inputs: [{ txId: funded.txId, address: alice.address }], outputs: [{ address: bob.address, balances: balancesOf([[COLOR_IOTA, 1_000_000n]]) }], dataPayload: new Uint8Array() }, [alice]);
    const rej = await conn.postTransaction(ds);
    expect(rej.state).toBe('rejected');
    expect(rej.reason).toMatch(/double spend/);
  });

  it('survives a peer that sends garbage: that stream is closed and logged, others go on', async () => {
    const rogue = await createNodeConnClientNode();
    try {
      const stream = await rogue.dialProtocol(multiaddr(hub.info().multiaddrs[0] as string), NODECONN_PROTOCOL);
      const closed = new Promise<void>((r) => stream.addEventListener('close', () => r()));
      stream.send(Uint8Array.of(5, 0, 0, 0, 0xee, 1, 2, 3, 4)); // a 5-byte frame with an unknown message type
      await closed;
      expect(hubLog.some((l) => l.includes('garbage'))).toBe(true);
      const stream2 = await rogue.dialProtocol(multiaddr(hub.info().multiaddrs[0] as string), NODECONN_PROTOCOL);
      const closed2 = new Promise<void>((r) => stream2.addEventListener('close', () => r()));
      stream2.send(Uint8Array.of(0xff, 0xff, 0xff, 0xff)); // announces a 4 GiB frame
      await closed2;
    } finally {
      await rogue.stop();
    }
    // the well-behaved connection still works
    const outs = await conn.getOutputs(alice.address);
    expect(outs.length).toBe(1);
  });
});
