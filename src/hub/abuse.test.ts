import '../hub/polyfill';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect as netConnect, type Socket } from 'node:net';
import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Libp2p, Stream } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import { RELAY_V2_HOP_CODEC } from '@libp2p/circuit-relay-v2';
import { signTransaction } from '../crypto/ed25519';
import { wallets } from '../ledger/testkit';
import { GENESIS_TX_ID } from '../ledger/ledger';
import { balancesOf, COLOR_IOTA, transactionId, type ValueTransaction } from '../protocol/index';
import { connectNodeConn, NODECONN_PROTOCOL, type NodeConnConnection } from '../nodeconn/libp2p';
import { createNodeConnClientNode } from '../nodeconn/client-node';
import { startHub, type Hub } from './hub';
import { parseHubArgs } from './config';

/**
 * A bounded loopback load test: the hub in-process on ephemeral ports, one well-behaved client, and one abusive
 * client per scenario. Limits are shrunk so each abuse hits them quickly; every wait is for an event or a
 * condition (with a deadline), never a fixed sleep. Abusive raw sockets come from 127.0.0.2 (all of 127/8 is
 * loopback on Linux) so the per-IP caps can be seen to spare the good client on 127.0.0.1.
 */
const LIMITS = {
  wsPendingMax: 32,
  wsPendingPerIpMax: 8,
  wsHandshakeTimeoutMs: 1_500,
  relayReservationsMax: 6,
  relayReservationsPerIpMax: 3,
  // Long enough that the first partial frame is still held while the second is refused on a loaded 2-core CI machine.
  nodeconnStream: { partialFrameMs: 6_000, partialFrameBytesTotalMax: 3 * 1024 * 1024 },
} as const;
const ABUSER_IP = '127.0.0.2';
const MiB = 1024 * 1024;

const [alice, bob] = wallets(2, 4242) as [ReturnType<typeof wallets>[number], ReturnType<typeof wallets>[number]];
let hub: Hub;
let dist: string;
let good: Libp2p;
let conn: NodeConnConnection;
const hubLog: string[] = [];
const extra: Libp2p[] = [];

async function until(cond: () => boolean, what: string, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The good client is served: the HTTP API answers and a nodeconn question on its existing stream is answered. */
async function expectServed(): Promise<void> {
  const r = await get('/api/hub');
  expect(r.status).toBe(200);
  const outs = await conn.getOutputs(alice.address, { timeoutMs: 5_000 });
  expect(outs.length).toBe(1);
}

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: hub.httpPort, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A raw WebSocket upgrade request to the libp2p port: resolves with the HTTP status (101 = upgraded). */
function wsUpgrade(origin: string | undefined): Promise<number> {
  const port = Number(multiaddr(hub.info().multiaddrs[0] as string).getComponents()[1]?.value);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': randomBytes(16).toString('base64') };
    if (origin) headers.Origin = origin;
    const req = httpRequest({ host: '127.0.0.1', port, path: '/', headers });
    req.on('upgrade', (_res, socket: Socket) => {
      socket.destroy();
      resolve(101);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

const hubAddr = () => multiaddr(hub.info().multiaddrs[0] as string);
const wsPort = () => Number(hubAddr().getComponents()[1]?.value);
const closed = (s: Stream) => new Promise<void>((r) => (s.status === 'open' ? s.addEventListener('close', () => r()) : r()));

beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), 'hub-abuse-'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>app</title>');
  const cfg = { ...parseHubArgs(['--port', '0', '--ws-port', '0', '--memory', '--confirm-delay-ms', '10'], {}), distDir: dist };
  hub = await startHub(cfg, (l) => hubLog.push(l), { limits: LIMITS });
  good = await createNodeConnClientNode();
  conn = await connectNodeConn(good, hubAddr(), { retryAfterMs: 200 });
  conn.setId('good');
  const funded = await conn.requestFunds(alice.address);
  await conn.waitFinal(funded.txId, alice.address, { timeoutMs: 5_000 });
});
afterAll(async () => {
  await conn?.close();
  for (const n of [good, ...extra]) await n?.stop();
  await hub?.stop();
  if (dist) rmSync(dist, { recursive: true, force: true });
});

describe('hub under abuse (loopback, in-process)', () => {
  it('a malformed URL is a 400 and the hub stays up (GET /%E0%A4%A used to throw out of the handler)', async () => {
    const r = await get('/%E0%A4%A');
    expect(r.status).toBe(400);
    expect(r.body).toMatch(/malformed percent-encoding/);
    expect((await get('/some/route')).status).toBe(200); // the SPA fallback still works
    await expectServed();
  });

  it('a bad Origin gets 403 on the API and on the WebSocket; the hub’s own origin and no Origin are allowed', async () => {
    const evil = 'http://evil.example';
    const api = await get('/api/hub', { Origin: evil });
    expect(api.status).toBe(403);
    expect(api.body).toMatch(/not allowed/);
    expect((await get('/api/hub', { Origin: 'null' })).status).toBe(403);
    expect(await wsUpgrade(evil)).toBe(403);
    expect(hubLog.some((l) => l.includes('Origin http://evil.example refused'))).toBe(true);
    const own = `http://127.0.0.1:${hub.httpPort}`;
    const ok = await get('/api/hub', { Origin: own });
    expect(ok.status).toBe(200);
    expect(await wsUpgrade(own)).toBe(101);
    expect(await wsUpgrade('http://localhost:5173')).toBe(101); // the Vite dev server
    expect(await wsUpgrade(undefined)).toBe(101); // Node / CLI clients send none
    await expectServed();
  });

  it('never-handshaking sockets: capped per IP at once, closed after the handshake timeout; others still get in', async () => {
    const n = 40;
    let closedCount = 0;
    const sockets: Socket[] = [];
    const allClosed = Promise.all(
      Array.from({ length: n }, () => {
        const s = netConnect({ host: '127.0.0.1', port: wsPort(), localAddress: ABUSER_IP });
        sockets.push(s);
        s.on('error', () => undefined);
        return new Promise<void>((r) => s.on('close', () => (closedCount++, r())));
      }),
    );
    // The ones over the per-IP cap are closed at once; exactly the cap stays pending.
    await until(() => closedCount >= n - LIMITS.wsPendingPerIpMax && hub.guards.wsPendingFrom(ABUSER_IP) === LIMITS.wsPendingPerIpMax, 'refusals over the per-IP cap');
    expect(closedCount).toBe(n - LIMITS.wsPendingPerIpMax);
    expect(hub.guards.wsRefused()).toBeGreaterThanOrEqual(n - LIMITS.wsPendingPerIpMax);
    // Meanwhile the existing client is served and a new one from another IP (127.0.0.1) connects.
    await expectServed();
    const fresh = await createNodeConnClientNode();
    extra.push(fresh);
    const c2 = await connectNodeConn(fresh, hubAddr(), { retryAfterMs: 200 });
    expect((await c2.getOutputs(alice.address, { timeoutMs: 5_000 })).length).toBe(1);
    await c2.close();
    // The pending ones never handshake: the hub closes them.
    await allClosed;
    expect(hub.guards.wsPendingFrom(ABUSER_IP)).toBe(0);
    for (const s of sockets) expect(s.destroyed).toBe(true);
  });

  it('a huge partial frame is held within bounds and reset after partialFrameMs; a second one over the hub-wide budget is reset at once', async () => {
    const rogue = await createNodeConnClientNode();
    extra.push(rogue);
    const header = new Uint8Array(4);
    new DataView(header.buffer).setUint32(0, 8 * MiB, true); // the largest frame allowed: announces 8 MiB
    const a = await rogue.dialProtocol(hubAddr(), NODECONN_PROTOCOL);
    const aClosed = closed(a);
    a.send(header);
    a.send(new Uint8Array(2 * MiB)); // … and sends 2 MiB of it, then nothing
    await until(() => hub.guards.nodeconnPartialFrameBytes() >= 2 * MiB, 'the hub holds the first partial frame');
    await expectServed();
    // A second stream pushing another 2 MiB would take the total past 3 MiB: it is reset, the first is not.
    const b = await rogue.dialProtocol(hubAddr(), NODECONN_PROTOCOL);
    const bClosed = closed(b);
    b.send(header);
    b.send(new Uint8Array(2 * MiB));
    await bClosed;
    expect(a.status).toBe('open');
    expect(hubLog.some((l) => l.includes('partial frames of all clients would hold more than'))).toBe(true);
    expect(hub.guards.nodeconnPartialFrameBytes()).toBeLessThanOrEqual(LIMITS.nodeconnStream.partialFrameBytesTotalMax);
    // The first one never completes its frame: reset after partialFrameMs, and its bytes are released.
    await aClosed;
    expect(hubLog.some((l) => l.includes(`a partial frame was not completed within ${LIMITS.nodeconnStream.partialFrameMs} ms`))).toBe(true);
    expect(hub.guards.nodeconnPartialFrameBytes()).toBe(0);
    await expectServed();
  });

  it('malformed transactions get an answer with a reason and the stream stays open (zero outputs; 3,000 inputs)', async () => {
    const zeroOutputs = signTransaction({ inputs: [{ txId: GENESIS_TX_ID, address: alice.address }], outputs: [], dataPayload: new Uint8Array() }, [alice]);
    const manyInputs: ValueTransaction = signTransaction(
      {
        inputs: Array.from({ length: 3000 }, (_, i) => ({ txId: Uint8Array.from({ length: 32 }, (_, j) => (j < 2 ? (i >> (8 * j)) & 0xff : 1)), address: alice.address })),
        outputs: [{ address: bob.address, balances: balancesOf([[COLOR_IOTA, 1n]]) }],
        dataPayload: new Uint8Array(),
      },
      [alice],
    );
    const r1 = await conn.postTransaction(zeroOutputs, { timeoutMs: 5_000 });
    expect(r1).toEqual({ txId: transactionId(zeroOutputs), state: 'rejected', reason: expect.stringMatching(/malformed transaction: no outputs/) });
    const r2 = await conn.postTransaction(manyInputs, { timeoutMs: 5_000 });
    expect(r2).toEqual({ txId: transactionId(manyInputs), state: 'rejected', reason: expect.stringMatching(/too many inputs: 3000 > 256/) });
    expect(conn.closed).toBe(false);
    await expectServed();
  });

  it('a client that closes its side gets the stream closed by the hub too (no half-closed streams left behind)', async () => {
    const peer = await createNodeConnClientNode();
    extra.push(peer);
    const s = await peer.dialProtocol(hubAddr(), NODECONN_PROTOCOL);
    const done = closed(s);
    await s.close();
    await done;
    expect(s.status).toBe('closed');
  });

  it('many relay reservations from one IP: capped per IP (one process cannot take every slot); a peer that leaves frees its slot', async () => {
    const peers: Libp2p[] = [];
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const p = await createNodeConnClientNode();
      peers.push(p);
      extra.push(p);
      statuses.push(await reserve(p));
    }
    // 100 = OK, 202 = PERMISSION_DENIED (the gater's answer)
    expect(statuses).toEqual([100, 100, 100, 202, 202]);
    expect(hub.guards.relayReservations()).toBe(LIMITS.relayReservationsPerIpMax);
    expect(hub.guards.relayReservations()).toBeLessThan(LIMITS.relayReservationsMax); // slots left for other hosts
    expect(hub.guards.relayDenied()).toBe(2);
    // A refresh by a peer that holds one is not a new reservation: allowed.
    expect(await reserve(peers[0] as Libp2p)).toBe(100);
    // The first peer leaves: its reservation goes with its last connection, and the slot is usable again.
    const gone = new Promise<void>((r) =>
      hub.node.addEventListener('peer:disconnect', (ev) => {
        if (ev.detail.equals((peers[0] as Libp2p).peerId)) r();
      }),
    );
    await (peers[0] as Libp2p).stop();
    await gone;
    expect(hub.guards.relayReservations()).toBe(LIMITS.relayReservationsPerIpMax - 1);
    expect(await reserve(peers[3] as Libp2p)).toBe(100);
    await expectServed();
  });
});

/** A raw circuit-relay v2 RESERVE (HopMessage {type: RESERVE}); returns the Status of the hub's answer. */
async function reserve(p: Libp2p): Promise<number> {
  const s = await p.dialProtocol(hubAddr(), RELAY_V2_HOP_CODEC);
  const chunks: Uint8Array[] = [];
  const answered = new Promise<Uint8Array>((resolve, reject) => {
    s.addEventListener('message', (ev) => {
      chunks.push(ev.data instanceof Uint8Array ? ev.data : ev.data.subarray());
      const all = Uint8Array.from(chunks.flatMap((c) => [...c]));
      const [len, off] = varint(all, 0);
      if (all.length >= off + len) resolve(all.subarray(off, off + len));
    });
    s.addEventListener('close', () => reject(new Error('hop stream closed without an answer')));
  });
  s.send(Uint8Array.of(2, 0x08, 0x00)); // length 2; field 1 (type) = 0 (RESERVE)
  const msg = await answered;
  s.abort(new Error('done'));
  // Walk the fields for 5 (status, varint).
  for (let o = 0; o < msg.length; ) {
    const [key, o1] = varint(msg, o);
    const [v, o2] = varint(msg, o1);
    if (key >> 3 === 5 && (key & 7) === 0) return v;
    o = (key & 7) === 2 ? o2 + v : o2;
  }
  throw new Error('no status in the hop answer');
}

function varint(b: Uint8Array, at: number): [number, number] {
  let v = 0;
  let shift = 0;
  for (let o = at; o < b.length; o++) {
    v += ((b[o] as number) & 0x7f) * 2 ** shift;
    shift += 7;
    if (((b[o] as number) & 0x80) === 0) return [v, o + 1];
  }
  return [Number.MAX_SAFE_INTEGER, b.length];
}
