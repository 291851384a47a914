import type { PeerFaultConfig, PeerFaultRule } from '../src/net/peer-faults.ts';
import type { WorkerByzantineKind } from '../src/worker/byzantine.ts';

/** The Byzantine behaviours a real tab can run: 'silent' on the page, the others in the worker's node. */
export type KitByzantineKind = 'silent' | WorkerByzantineKind;

/**
 * The committee's faults, by member index: what each tab's filter and worker must be told. Kept here rather
 * than only in the pages because a reloaded or restarted page starts clean and gets its part again. Pure.
 */
export class FaultPlan {
  private readonly links = new Map<string, PeerFaultRule>();
  private readonly silent = new Set<number>();
  private readonly worker = new Map<number, WorkerByzantineKind>();

  /** Drops both ways between every member of a and every member of b. Returns the members whose config changed. */
  partition(a: readonly number[], b: readonly number[]): number[] {
    for (const i of a) for (const j of b) this.both(i, j, { dropOut: true, dropIn: true });
    return [...new Set([...a, ...b])];
  }

  slowLink(i: number, j: number, ms: number): number[] {
    this.both(i, j, { delayMs: ms });
    return [i, j];
  }

  /** Clears partitions and slow links (not Byzantine behaviours). */
  heal(): void {
    this.links.clear();
  }

  byzantine(i: number, kind: KitByzantineKind | null): void {
    if (kind === 'silent') this.silent.add(i);
    else this.silent.delete(i);
    if (kind === null || kind === 'silent') this.worker.delete(i);
    else this.worker.set(i, kind);
  }

  /** Member i's worker behaviour (null: honest). */
  workerKind(i: number): WorkerByzantineKind | null {
    return this.worker.get(i) ?? null;
  }

  /** Member i's filter config, with peers named by node ID (`nodeIdOf(j)`). */
  configFor(i: number, members: readonly number[], nodeIdOf: (j: number) => string): PeerFaultConfig {
    const peers: Record<string, PeerFaultRule> = {};
    for (const j of members) {
      const r = this.links.get(key(i, j));
      if (r) peers[nodeIdOf(j)] = r;
    }
    return { peers, silent: this.silent.has(i) };
  }

  private both(i: number, j: number, patch: PeerFaultRule): void {
    for (const [x, y] of [
      [i, j],
      [j, i],
    ] as const)
      this.links.set(key(x, y), { ...this.links.get(key(x, y)), ...patch });
  }
}

const key = (from: number, to: number): string => `${from}>${to}`;
