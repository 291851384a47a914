import type { Scenario, Slice } from '../sim/classroom-model';

/**
 * Page ↔ classroom worker messages. The page asks for virtual time; the worker answers with slices of the
 * event log. `gen` numbers a loaded scenario: answers for an older one are ignored by the page.
 */
export type ToClassroomWorker =
  | { readonly t: 'load'; readonly gen: number; readonly scenario: Scenario }
  /** Run the model until virtual time ≥ toMs (the worker streams slices while it runs). */
  | { readonly t: 'advance'; readonly gen: number; readonly toMs: number };

export type FromClassroomWorker =
  | { readonly t: 'slice'; readonly gen: number; readonly slice: Slice }
  | { readonly t: 'error'; readonly gen: number; readonly message: string };

/** Steps per slice while catching up: small enough that a new command is seen within a few ms of work. */
export const CLASSROOM_SLICE_STEPS = 25;
