import type { PollClock } from '../node/wait-processed';

/**
 * Time and timers of the runtime, as a port: the worker entry passes `browserTimers`, tests a virtual clock
 * they advance by hand (snapshots, ticks and waits then run without sleeping).
 */
export interface RuntimeTimers extends PollClock {
  /** Calls `fn` every `ms` until the returned function is called. */
  every(ms: number, fn: () => void): () => void;
}

export const browserTimers: RuntimeTimers = {
  nowMs: () => Date.now(),
  every(ms, fn) {
    const h = setInterval(fn, ms);
    return () => clearInterval(h);
  },
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};
