import type { NodeHost } from '../worker/host';
import { RUNTIME_LIMITS } from '../worker/limits';
import { plainError } from './errors';

export const LOAD_LIMITS = {
  /** A steady-rate run posts at most this many requests (the node's own postMany bound). */
  postManyMax: RUNTIME_LIMITS.postManyMax,
  requestsPerTx: RUNTIME_LIMITS.requestsPerTxMax,
  rateMax: 500,
  secondsMax: 600,
  /** How often the generator posts what is due (small batches keep the rate steady, big ones keep txs few). */
  stepMs: 250,
} as const;

export interface LoadProgress {
  readonly posted: number;
  readonly total: number;
  readonly running: boolean;
  readonly error?: string;
}

/** Requests due `elapsedMs` into a run of `rate` per second, `total` in all (pure: the schedule). */
export function dueBy(elapsedMs: number, rate: number, total: number): number {
  return Math.min(total, Math.floor((rate * Math.max(0, elapsedMs)) / 1000));
}

/** Checks the form's numbers; returns the run's total or throws a message for the user. */
export function loadPlan(rate: number, seconds: number): number {
  if (!(Number.isFinite(rate) && rate > 0 && rate <= LOAD_LIMITS.rateMax)) throw new Error(`rate must be more than 0 and at most ${LOAD_LIMITS.rateMax} requests/s`);
  if (!(Number.isInteger(seconds) && seconds >= 1 && seconds <= LOAD_LIMITS.secondsMax)) throw new Error(`duration must be 1..${LOAD_LIMITS.secondsMax} whole seconds`);
  const total = Math.floor(rate * seconds);
  if (total < 1 || total > LOAD_LIMITS.postManyMax) throw new Error(`rate × duration must be 1..${LOAD_LIMITS.postManyMax} requests, got ${total}`);
  return total;
}

/**
 * Posts requests at a steady rate for a while: every stepMs, whatever is due is posted with one postMany (the
 * node splits it into transactions). One post at a time: if the node is slower than the rate, the run falls
 * behind and catches up, it never piles up commands. Returns a stop function.
 */
export function startLoad(
  host: NodeHost,
  request: { readonly chain: string; readonly contract: string; readonly entryPoint: string; readonly params: Readonly<Record<string, string>> },
  rate: number,
  seconds: number,
  onProgress: (p: LoadProgress) => void,
): () => void {
  const total = loadPlan(rate, seconds);
  const t0 = performance.now();
  let posted = 0;
  let stopped = false;
  onProgress({ posted, total, running: true });
  const step = async (): Promise<void> => {
    while (!stopped && posted < total) {
      const due = dueBy(performance.now() - t0, rate, total) - posted;
      if (due > 0) {
        await host.command({ kind: 'postMany', ...request, count: due });
        posted += due;
        onProgress({ posted, total, running: posted < total && !stopped });
      } else {
        await new Promise((r) => setTimeout(r, LOAD_LIMITS.stepMs));
      }
    }
    onProgress({ posted, total, running: false });
  };
  step().catch((e: unknown) => {
    stopped = true;
    onProgress({ posted, total, running: false, error: plainError(e) });
  });
  return () => {
    stopped = true;
  };
}
