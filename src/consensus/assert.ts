/**
 * A broken invariant of the operator (not bad input: peers' messages are validated, never asserted). Thrown
 * so a bug stops the node loudly at the place it broke instead of running on a half-built round.
 */
export class InvariantError extends Error {
  override readonly name = 'InvariantError';
}

/** Narrows `cond` for the compiler where a cast would only silence it; `what` names the invariant that broke. */
export function assert(cond: unknown, what: string): asserts cond {
  if (!cond) throw new InvariantError(`consensus invariant broken: ${what}`);
}
