import { equalBytes, transactionId, utf8, type Address, type ValueTransaction } from '../protocol';
import type { StoredChainState } from '../state/store';
import type { Block } from '../state/types';
import { stateSectionOf } from '../state/manager';
import { L1_ID, type SimEngine, type SimNodeSlot } from './engine';

/**
 * Faults scheduled by the config (what the environment does to the committee, as opposed to what a Byzantine
 * member does: byzantine.ts): crashes and restarts from the store, tampered stores, partitions, and L1 rejecting
 * the first anchor of given blocks. Each acts in the one step that reaches its time (`engine.reached`).
 */
export class ScheduledFaults {
  /** Crashes with `tamper`: the store the restarted node reads is edited (what someone with the tab's origin can do). */
  private readonly tampered = new Map<number, 'state' | 'block'>();
  /** Restarted nodes that refused their store and reset it. */
  storesRefused = 0;
  readonly rejectedAnchorBlocks = new Set<number>();

  constructor(private readonly e: SimEngine) {}

  /** Top of every step: partitions, crashes and restarts whose time is now. */
  applySchedule(): void {
    const e = this.e;
    const p = e.cfg.partition;
    if (p && e.reached(p.fromMs)) {
      e.partition(p.groups.map((g) => g.map((i) => e.slots[i]?.id as string)));
      e.record('sim', '', 'fault', `Network partitioned into ${p.groups.map((g) => `{${g.join(',')}}`).join(' ')}.`);
    }
    if (p && e.reached(p.toMs)) {
      e.heal();
      e.record('sim', '', 'fault', 'Network healed.');
    }
    // Read on every step (not copied): the classroom adds crashes to this array while the run goes.
    for (const c of e.cfg.crashes ?? []) {
      const slot = e.slots[c.index];
      if (!slot) continue;
      if (e.reached(c.atMs) && slot.node) {
        e.crash(slot);
        e.record(`node${c.index}`, '', 'fault', `Node ${c.index} crashed.`);
      }
      if (e.reached(c.restartAtMs) && !slot.node) {
        if (c.tamper) this.tampered.set(c.index, c.tamper);
        slot.session = e.server.openSession();
        const node = e.boot(slot);
        void node.start();
        e.record(`node${c.index}`, '', 'fault', `Node ${c.index} restarted from its store.`);
      }
    }
  }

  /* ------------------------------------------------------------ tampered stores (slot-store.ts calls these) */

  loadedState(index: number, r: StoredChainState | null): StoredChainState | null {
    return r && this.tampered.get(index) === 'state' ? tamperEntries(r) : r;
  }

  loadedBlock(index: number, blockIndex: number, b: Block | null): Block | null {
    return b && blockIndex === 1 && this.tampered.get(index) === 'block' ? tamperBlock(b) : b;
  }

  /** The node refused its store and reset it: it reads the real one from now on. */
  storeReset(index: number): void {
    this.tampered.delete(index);
    this.storesRefused++;
  }

  /* ------------------------------------------------------------ L1 */

  /** L1 fault: rejects the first anchor of each configured block index (nothing is booked). */
  rejectAnchor(slot: SimNodeSlot, tx: ValueTransaction): boolean {
    const e = this.e;
    const blocks = e.cfg.rejectAnchorBlocks;
    if (!blocks || !e.chainColor) return false;
    const sec = stateSectionOf(tx);
    if (!sec || !equalBytes(sec.chainColor, e.chainColor) || !blocks.includes(sec.blockIndex) || this.rejectedAnchorBlocks.has(sec.blockIndex)) return false;
    this.rejectedAnchorBlocks.add(sec.blockIndex);
    const txId = transactionId(tx);
    e.record(L1_ID, `node${slot.index}`, 'fault', `L1 rejects the anchor of block #${sec.blockIndex} (injected fault).`);
    e.sendFromL1(slot.id, { kind: 'waspFromNodeTransactionInclusionState', txId, address: e.chainAddress as Address, state: 'rejected', reason: 'injected fault: anchor rejected by L1' });
    return true;
  }
}

/** A stored state with its first value changed (the blocks stay as they were). */
function tamperEntries(r: StoredChainState): StoredChainState {
  const [first, ...rest] = r.entries;
  if (!first) return r;
  const v = first[1].slice();
  v[0] = (v[0] ?? 0) ^ 0xff;
  return { ...r, entries: [[first[0], v.length > 0 ? v : Uint8Array.of(1)], ...rest] };
}

/** Block #1 with one more mutation in its first update (the stored state stays as it was). */
function tamperBlock(b: Block): Block {
  const [u, ...rest] = b.updates;
  if (!u) return b;
  return { ...b, updates: [{ ...u, mutations: [...u.mutations, { kind: 'set', key: utf8('tampered'), value: Uint8Array.of(1) }] }, ...rest] };
}
