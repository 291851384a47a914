import type { SelftestReport } from '../vm/selftest-workload';
import type { StackProbe } from '../vm/selftest-stack';

/** Page ↔ VM self-test worker (#/selftest). One run per message; the worker answers once. */
export type ToSelftestWorker = { readonly t: 'run' };

export interface SelftestResult {
  readonly report: SelftestReport;
  /** A second run in the same worker gave exactly the same report (blocks, gas, digest). */
  readonly repeatIdentical: boolean;
  /** A run that instantiated for every wasm call (no instance reuse) gave exactly the same report. */
  readonly freshIdentical: boolean;
  readonly stack: StackProbe;
  /** Wall time of the first workload run (informative only). */
  readonly workloadMs: number;
}

export type FromSelftestWorker =
  | { readonly t: 'done'; readonly result: SelftestResult }
  | { readonly t: 'error'; readonly message: string };
