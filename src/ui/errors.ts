/** Turns any thrown value into a sentence for the user (typed error prefixes like 'bad-committee: ' are dropped). */
export function plainError(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.replace(/^[a-z-]+: /, '').replace(/^./, (c) => c.toUpperCase());
}
