import type { VmOutcome, VmTask } from '../consensus/vm-port';
import type { ThresholdSigner } from '../consensus/signer';
import { runBatch } from '../vm/runner';
import type { ByzantineKind } from '../sim/byzantine-kinds';

/**
 * Byzantine behaviours a real tab's node can be switched to at run time (the Playwright kit's byzantine(i, kind)),
 * the same as the simulator's kinds of these names (src/sim/sim.ts vmFor / corruptSigner):
 * wrongResult: the VM's result differs in one state byte; badPartialSig: partial signatures of the wrong bytes.
 * 'silent' is applied on the page (src/net/peer-faults.ts); the other simulator kinds need an omniscient
 * adversary or a forger the simulator drives and are not offered in a tab.
 */
export type WorkerByzantineKind = Extract<ByzantineKind, 'wrongResult' | 'badPartialSig'>;
export const WORKER_BYZANTINE_KINDS: readonly WorkerByzantineKind[] = ['wrongResult', 'badPartialSig'];

/** Mutable switch read on every VM run and every partial signature, so a running honest node can turn. */
export class ByzantineSwitch {
  kind: WorkerByzantineKind | null = null;

  set(kind: WorkerByzantineKind | null): void {
    if (kind !== null && !WORKER_BYZANTINE_KINDS.includes(kind)) throw new Error(`unknown Byzantine behaviour '${String(kind)}'`);
    this.kind = kind;
  }

  readonly runVM = (task: VmTask): VmOutcome => {
    const r = runBatch(task);
    const u = r.updates[0];
    if (this.kind !== 'wrongResult' || !u) return r;
    const mutation = { kind: 'set' as const, key: new TextEncoder().encode('byzantine'), value: Uint8Array.of(1) };
    return { ...r, updates: [{ ...u, mutations: [...u.mutations, mutation] }, ...r.updates.slice(1)] };
  };

  /** Delegates every method explicitly (the signer may keep its methods on a prototype, which a spread drops). */
  readonly wrapSigner = (s: ThresholdSigner): ThresholdSigner => ({
    n: s.n,
    t: s.t,
    index: s.index,
    masterPublicKey: s.masterPublicKey,
    partialSign: (m) => s.partialSign(this.kind === 'badPartialSig' ? Uint8Array.of(...m, 0xff) : m),
    verifyPartial: (i, m, p) => s.verifyPartial(i, m, p),
    combine: (partials) => s.combine(partials),
    verifyMaster: (m, sig) => s.verifyMaster(m, sig),
  });
}
