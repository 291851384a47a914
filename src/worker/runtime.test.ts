import { describe, expect, it, vi } from 'vitest';
import { AddressKind, addressFromPublicKey, addressKey, addressToString } from '../protocol';
import { TICK_INTERVAL_MS } from '../consensus/params';
import { decodeWaspToNode } from '../nodeconn/codec';
import { MemoryRegistry, MemorySolidStateStore } from '../state/store-memory';
import type { FromWorker, NodeSnapshotView } from './bridge';
import { RUNTIME_LIMITS } from './limits';
import { startNodeRuntime } from './runtime';
import { MemoryMetaStore, testIdentity, VirtualTimers } from './testkit';

const chain = addressFromPublicKey(AddressKind.BLS, new Uint8Array(96).fill(4));
const [me, bob, carol] = [testIdentity(1), testIdentity(2), testIdentity(3)];

/** A runtime as the worker entry builds it, on memory stores and virtual time; `posted` is what went to the page. */
async function start(o: { meta?: MemoryMetaStore; withChain?: boolean } = {}) {
  const timers = new VirtualTimers();
  const meta = o.meta ?? new MemoryMetaStore();
  const registry = new MemoryRegistry();
  // An access node of someone else's chain (no key share): restored and started by node.start().
  if (o.withChain) await registry.putBootupRecord({ chainAddress: chain, chainColor: new Uint8Array(32), committeeNodeIds: [bob.nodeId, carol.nodeId], n: 2, t: 2, myIndex: null });
  const posted: FromWorker[] = [];
  const runtime = await startNodeRuntime({
    nodeId: me.nodeId,
    nodeName: 'alice',
    identity: { secretKey: me.secretKey, publicKey: me.publicKey },
    store: new MemorySolidStateStore(),
    registry,
    meta,
    hub: { peerId: 'hub', multiaddrs: [], confirmDelayMs: 0 },
    post: (m) => void posted.push(m),
    timers,
  });
  const snapshots = (): NodeSnapshotView[] => posted.flatMap((m) => (m.t === 'snapshot' ? [m.snapshot] : []));
  const l1 = (): ReturnType<typeof decodeWaspToNode>[] => posted.flatMap((m) => (m.t === 'sendL1' ? [decodeWaspToNode(m.frame)] : []));
  return { runtime, timers, meta, posted, snapshots, l1 };
}

describe('node runtime wiring (virtual clock: no sleeps)', () => {
  it('schedules ticks and snapshots on the injected timers and posts a snapshot only when something changed', async () => {
    const s = await start();
    expect(s.timers.periods).toEqual([TICK_INTERVAL_MS, RUNTIME_LIMITS.snapshotIntervalMs]);
    expect(s.snapshots()).toEqual([]);
    await s.timers.advance(RUNTIME_LIMITS.snapshotIntervalMs);
    expect(s.snapshots().length).toBe(1);
    expect(s.snapshots()[0]).toMatchObject({ nodeId: me.nodeId, nodeName: 'alice', chains: [], dkg: [], wallet: { balance: '0' } });
    // Nothing changed: several intervals, no new snapshot.
    await s.timers.advance(5 * RUNTIME_LIMITS.snapshotIntervalMs);
    expect(s.snapshots().length).toBe(1);
    s.runtime.onPeerStatus(bob.nodeId, 'bob', true);
    expect(s.snapshots().length).toBe(1);
    await s.timers.advance(RUNTIME_LIMITS.snapshotIntervalMs);
    expect(s.snapshots().length).toBe(2);
    s.runtime.stop();
    expect(s.timers.pending).toBe(0);
  });

  it('keeps the wallet seed: a restart with the same meta store has the same wallet', async () => {
    const meta = new MemoryMetaStore();
    const first = await start({ meta });
    expect(meta.seed?.length).toBe(32);
    await first.timers.advance(RUNTIME_LIMITS.snapshotIntervalMs);
    first.runtime.stop();
    const again = await start({ meta });
    await again.timers.advance(RUNTIME_LIMITS.snapshotIntervalMs);
    const address = first.snapshots()[0]?.wallet?.address;
    expect(address).toMatch(/^[1-9A-HJ-NP-Za-km-z]+$/);
    expect(again.snapshots()[0]?.wallet?.address).toBe(address);
    expect((await start()).meta.seed).not.toEqual(meta.seed);
    again.runtime.stop();
  });

  it('restores the registry\'s chains, shows them with their description, batches events, re-subscribes after a new hub session', async () => {
    const meta = new MemoryMetaStore();
    await meta.putDescription(addressKey(chain), 'their chain');
    const s = await start({ meta, withChain: true });
    expect(s.runtime.restoredChains).toBe(1);
    await s.timers.advance(RUNTIME_LIMITS.snapshotIntervalMs);
    const [v] = s.snapshots();
    expect(v?.chains.map((c) => [c.chain, c.description, c.myIndex, c.committee.map((m) => m.up)])).toEqual([[addressToString(chain), 'their chain', null, [false, false]]]);
    // The activation event went to the page in one batch with the snapshot interval.
    const events = s.posted.flatMap((m) => (m.t === 'events' ? m.events : []));
    expect(events.some((e) => e.kind === 'deploy' && /access node/.test(e.text))).toBe(true);

    const before = s.l1().length;
    s.runtime.onL1Up();
    const wallet = v?.wallet?.address;
    expect(s.l1().slice(before).map((m) => [m.kind, 'address' in m ? addressToString(m.address) : ''])).toEqual([
      ['waspToNodeSubscribe', wallet],
      ['waspToNodeGetOutputs', wallet],
      ['waspToNodeSubscribe', addressToString(chain)],
      ['waspToNodeGetOutputs', addressToString(chain)],
    ]);
    // A malformed frame from the hub is dropped, not thrown into the page's message handler.
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(() => s.runtime.onL1Frame(Uint8Array.of(255, 1, 2))).not.toThrow();
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^\[node\] dropped a malformed L1 frame/));
    warn.mockRestore();
    await expect(s.runtime.command({ kind: 'audit', chain: addressToString(chain) })).resolves.toMatchObject({ kind: 'audit', blockIndex: 0, requests: 0 });
    s.runtime.stop();
  });
});
