/**
 * A tiny deterministic network for DKG tests: one seeded RNG drives latency, reordering and duplication; a
 * tamper hook sees every message in flight (per recipient) and may drop, change or multiply it. Time is the
 * pump's own: no sleeping, no real timers.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { SeededRng } from '../../../protocol';
import type { KeyShare } from '../../threshold';
import { DkgMember, type DkgAction } from '../member';
import { dkgSessionId, type DkgNodeKeys } from '../params';

export interface Wire {
  from: number;
  to: number;
  bytes: Uint8Array;
}

export interface PumpOptions {
  n: number;
  t: number;
  seed: number;
  phaseTimeoutMs?: number;
  latencyMs?: number;
  /** Extra random delay in [0, jitterMs): reorders messages. */
  jitterMs?: number;
  /** Probability that a message is delivered twice. */
  duplicateRate?: number;
  /** Sees each message per recipient; returns what to deliver instead (empty = drop). */
  tamper?: (w: Wire, pump: Pump) => Wire[];
  /** Members that never start (crashed before the protocol). */
  absent?: number[];
  sessionId?: Uint8Array;
}

/** Bound on simulated time for one run: far above N phases × timeout. */
export const PUMP_TIME_MAX_MS = 10 * 60_000;
const TICK_MS = 50;

export class Pump {
  readonly members: DkgMember[];
  readonly nodeSecrets: Uint8Array[];
  readonly nodePublics: Uint8Array[];
  readonly sessionId: Uint8Array;
  readonly done = new Map<number, KeyShare>();
  readonly failed = new Map<number, string>();
  readonly crashed = new Set<number>();
  now = 0;
  delivered = 0;
  private readonly rng: SeededRng;
  private seq = 0;
  private queue: { at: number; seq: number; w: Wire }[] = [];

  constructor(readonly opts: PumpOptions) {
    this.rng = new SeededRng(opts.seed);
    this.nodeSecrets = Array.from({ length: opts.n }, () => this.rng.bytes(32));
    this.nodePublics = this.nodeSecrets.map((s) => ed25519.getPublicKey(s));
    this.sessionId = opts.sessionId ?? dkgSessionId(this.rng.bytes(32), opts.t, this.nodePublics);
    this.members = this.nodeSecrets.map(
      (secretKey, index) =>
        new DkgMember({
          sessionId: this.sessionId,
          n: opts.n,
          t: opts.t,
          index,
          nodeKeys: { secretKey, publicKeys: this.nodePublics } satisfies DkgNodeKeys,
          rng: new SeededRng(opts.seed * 1000 + index + 1),
          ...(opts.phaseTimeoutMs !== undefined ? { phaseTimeoutMs: opts.phaseTimeoutMs } : {}),
        }),
    );
    for (const a of opts.absent ?? []) this.crashed.add(a);
  }

  /** Runs until every live member is done or failed, or the time bound passes. */
  run(untilMs = PUMP_TIME_MAX_MS): this {
    for (let i = 0; i < this.opts.n; i++) if (!this.crashed.has(i)) this.apply(i, this.members[i]!.start(this.now));
    while (this.now < untilMs && !this.settled()) {
      const next = this.queue.length > 0 ? Math.min(this.queue[0]!.at, this.now + TICK_MS) : this.now + TICK_MS;
      this.now = Math.max(this.now, next);
      while (this.queue.length > 0 && this.queue[0]!.at <= this.now) {
        const { w } = this.queue.shift()!;
        if (this.crashed.has(w.to)) continue;
        this.delivered++;
        this.apply(w.to, this.members[w.to]!.onMessage(w.from, w.bytes, this.now));
      }
      for (let i = 0; i < this.opts.n; i++) if (!this.crashed.has(i)) this.apply(i, this.members[i]!.onTick(this.now));
    }
    return this;
  }

  /** Crash a member now: it neither sends nor receives from here on. */
  crash(i: number): void {
    this.crashed.add(i);
  }

  /** Puts a message on the wire as if `from` sent it (bypassing tamper). */
  inject(w: Wire, delayMs = this.opts.latencyMs ?? 10): void {
    this.enqueue(w, delayMs);
  }

  liveIndices(): number[] {
    return Array.from({ length: this.opts.n }, (_, i) => i).filter((i) => !this.crashed.has(i));
  }

  private settled(): boolean {
    return this.liveIndices().every((i) => this.done.has(i) || this.failed.has(i));
  }

  private apply(from: number, actions: DkgAction[]): void {
    for (const a of actions) {
      if (a.kind === 'done') this.done.set(from, a.keyShare);
      else if (a.kind === 'failed') this.failed.set(from, a.reason);
      else if (this.crashed.has(from)) continue;
      else if (a.kind === 'send') this.post({ from, to: a.to, bytes: a.bytes });
      else for (let to = 0; to < this.opts.n; to++) if (to !== from) this.post({ from, to, bytes: a.bytes });
    }
  }

  private post(w: Wire): void {
    const out = this.opts.tamper ? this.opts.tamper(w, this) : [w];
    for (const m of out) {
      const base = this.opts.latencyMs ?? 10;
      const jitter = this.opts.jitterMs ? this.rng.int(this.opts.jitterMs) : 0;
      this.enqueue(m, base + jitter);
      if (this.opts.duplicateRate && this.rng.float() < this.opts.duplicateRate) this.enqueue(m, base + jitter + (this.opts.jitterMs ? this.rng.int(this.opts.jitterMs) : 1));
    }
  }

  private enqueue(w: Wire, delayMs: number): void {
    const item = { at: this.now + delayMs, seq: this.seq++, w };
    // Sorted insert by (at, seq): deterministic order for equal times.
    let i = this.queue.length;
    while (i > 0 && (this.queue[i - 1]!.at > item.at || (this.queue[i - 1]!.at === item.at && this.queue[i - 1]!.seq > item.seq))) i--;
    this.queue.splice(i, 0, item);
  }
}
