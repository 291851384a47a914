import { createNode, type WaspNode } from '../node/node';
import type { WaspToNode } from '../node/types';
import { ed25519KeyPairFromSeed } from '../crypto/ed25519';
import { toHex } from '../protocol/bytes';
import { SeededRng } from '../protocol/rng';
import { MemoryRegistry, MemorySolidStateStore } from '../state/store-memory';
import type { MetaStore } from './meta-store';
import type { RuntimeTimers } from './timers';

/**
 * Test doubles for the worker's ports. VirtualTimers: time moves only in advance(), which runs every timer that
 * falls due in time order and lets the awaiting code continue before the next, so tests drive snapshots, ticks
 * and waits without sleeping.
 */
export class VirtualTimers implements RuntimeTimers {
  private now = 1_700_000_000_000;
  private seq = 0;
  private readonly timers = new Map<number, { due: number; periodMs: number | null; fn: () => void }>();
  /** Intervals registered with every(), by period (what the wiring scheduled). */
  readonly periods: number[] = [];

  readonly nowMs = (): number => this.now;

  every(ms: number, fn: () => void): () => void {
    const id = this.seq++;
    this.periods.push(ms);
    this.timers.set(id, { due: this.now + ms, periodMs: ms, fn });
    return () => void this.timers.delete(id);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => void this.timers.set(this.seq++, { due: this.now + ms, periodMs: null, fn: resolve }));
  }

  get pending(): number {
    return this.timers.size;
  }

  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    for (;;) {
      let next: [number, { due: number; periodMs: number | null; fn: () => void }] | undefined;
      for (const e of this.timers) if (e[1].due <= end && (!next || e[1].due < next[1].due)) next = e;
      if (!next) break;
      const [id, t] = next;
      this.now = t.due;
      if (t.periodMs === null) this.timers.delete(id);
      else t.due += t.periodMs;
      t.fn();
      await settle();
    }
    this.now = end;
    await settle();
  }
}

/** Lets promise chains started by a timer run to their next real await (a macrotask turn, no time passes). */
export const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

export class MemoryMetaStore implements MetaStore {
  seed: Uint8Array | undefined;
  readonly descriptions = new Map<string, string>();
  async walletSeed(): Promise<Uint8Array | undefined> {
    return this.seed;
  }
  async putWalletSeed(seed: Uint8Array): Promise<void> {
    this.seed = seed;
  }
  async description(chainKey: string): Promise<string | undefined> {
    return this.descriptions.get(chainKey);
  }
  async putDescription(chainKey: string, description: string): Promise<void> {
    this.descriptions.set(chainKey, description);
  }
}

/** A node identity from a small seed (node ID = hex public key, as the worker's identity.ts makes it). */
export function testIdentity(seed: number): { nodeId: string; secretKey: Uint8Array; publicKey: Uint8Array } {
  const secretKey = new SeededRng(seed).bytes(32);
  const publicKey = ed25519KeyPairFromSeed(secretKey).publicKey;
  return { nodeId: toHex(publicKey), secretKey, publicKey };
}

/** A real node with memory store and registry whose peering goes nowhere and whose L1 messages are recorded. */
export function testNode(seed: number, timers: RuntimeTimers): { node: WaspNode; nodeId: string; l1Sent: WaspToNode[]; store: MemorySolidStateStore; registry: MemoryRegistry } {
  const { nodeId, secretKey } = testIdentity(seed);
  const l1Sent: WaspToNode[] = [];
  const store = new MemorySolidStateStore();
  const registry = new MemoryRegistry();
  const node = createNode({ nodeId, nodeKey: secretKey, clock: timers, rng: new SeededRng(seed + 1000), peering: { send: () => undefined }, l1: { send: (m) => void l1Sent.push(m) }, store, registry });
  return { node, nodeId, l1Sent, store, registry };
}
