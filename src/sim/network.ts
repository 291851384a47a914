import type { SeededRng } from '../protocol/rng';

/** Fault knobs of the simulated network (all probabilities per message). */
export interface NetworkFaults {
  readonly dropRate: number;
  readonly duplicateRate: number;
  /** Uniform delay range; with reordering this is what reorders messages. */
  readonly delayMinMs: number;
  readonly delayMaxMs: number;
}

export const NO_FAULTS: NetworkFaults = { dropRate: 0, duplicateRate: 0, delayMinMs: 0, delayMaxMs: 0 };

export interface InFlight<T> {
  readonly seq: number;
  readonly sentAtMs: number;
  readonly deliverAtMs: number;
  readonly from: string;
  readonly to: string;
  readonly payload: T;
}

/** Bound on messages in flight: a runaway protocol is a failed run, not an out-of-memory. */
export const IN_FLIGHT_MAX = 500_000;

/**
 * A seeded message network: delays, reorders, duplicates, drops and partitions, all decided by the one Rng.
 * Plain data (RaftScope style): each message carries its send and delivery times so a page can draw it in flight.
 */
export class SimNetwork<T> {
  private queue: InFlight<T>[] = [];
  private seq = 0;
  /** node → partition group; messages cross groups only when healed. */
  private groups: Map<string, number> | null = null;
  dropped = 0;

  constructor(
    private readonly rng: SeededRng,
    public faults: NetworkFaults,
  ) {}

  partition(groups: readonly (readonly string[])[]): void {
    this.groups = new Map();
    groups.forEach((g, i) => g.forEach((id) => this.groups?.set(id, i)));
  }
  heal(): void {
    this.groups = null;
  }
  connected(a: string, b: string): boolean {
    if (!this.groups) return true;
    const ga = this.groups.get(a);
    const gb = this.groups.get(b);
    return ga === undefined || gb === undefined || ga === gb;
  }

  send(nowMs: number, from: string, to: string, payload: T, faults: NetworkFaults = this.faults): void {
    if (!this.connected(from, to) || (faults.dropRate > 0 && this.rng.float() < faults.dropRate)) {
      this.dropped++;
      return;
    }
    const copies = faults.duplicateRate > 0 && this.rng.float() < faults.duplicateRate ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      if (this.queue.length >= IN_FLIGHT_MAX) throw new Error(`more than ${IN_FLIGHT_MAX} messages in flight`);
      const span = faults.delayMaxMs - faults.delayMinMs;
      const delay = faults.delayMinMs + (span > 0 ? this.rng.int(span + 1) : 0);
      this.queue.push({ seq: this.seq++, sentAtMs: nowMs, deliverAtMs: nowMs + delay, from, to, payload });
    }
  }

  /** Messages due at `nowMs`, in (delivery time, seq) order; removed from the queue. */
  due(nowMs: number): InFlight<T>[] {
    const ready = this.queue.filter((m) => m.deliverAtMs <= nowMs);
    if (ready.length === 0) return [];
    this.queue = this.queue.filter((m) => m.deliverAtMs > nowMs);
    return ready.sort((a, b) => a.deliverAtMs - b.deliverAtMs || a.seq - b.seq);
  }

  get inFlight(): number {
    return this.queue.length;
  }
}
