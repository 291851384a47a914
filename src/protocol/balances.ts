import { Reader, Writer } from './codec';
import { DecodeError } from './errors';
import { LIMITS } from './limits';
import { fromHex, toHex } from './bytes';
import { COLOR_SIZE, colorToString, type Color } from './ids';

/**
 * Colored balances: color (hex of its 32 bytes) → positive amount. Hex keys of equal length sort
 * exactly like the bytes, so the encoding below is canonical. Zero amounts are never stored.
 */
export type Balances = ReadonlyMap<string, bigint>;

export const U64_MAX = 0xffffffffffffffffn;

export function balancesOf(entries: Iterable<readonly [Color, bigint]>): Balances {
  const m = new Map<string, bigint>();
  for (const [c, v] of entries) {
    if (v < 0n) throw new RangeError(`negative amount ${v}`);
    const k = toHex(c);
    const sum = (m.get(k) ?? 0n) + v;
    if (sum > U64_MAX) throw new RangeError('amount overflows u64');
    if (sum === 0n) m.delete(k);
    else m.set(k, sum);
  }
  return m;
}

export const colorOfKey = (k: string): Color => fromHex(k);

export function sortedEntries(b: Balances): [string, bigint][] {
  return [...b.entries()].sort(([a], [c]) => (a < c ? -1 : a > c ? 1 : 0));
}

export function writeBalances(w: Writer, b: Balances): void {
  const entries = sortedEntries(b);
  w.u32(entries.length);
  for (const [k, v] of entries) {
    if (v <= 0n) throw new RangeError(`balance entries must be positive, got ${v}`);
    w.fixed(fromHex(k), COLOR_SIZE).u64(v);
  }
}

/** Strict: colors strictly increasing (so unique), amounts positive. */
export function readBalances(r: Reader, what = 'balances'): Balances {
  const n = r.count(LIMITS.colorsPerBalanceMax, `${what} colors`);
  const m = new Map<string, bigint>();
  let prev = '';
  for (let i = 0; i < n; i++) {
    const at = r.offset;
    const k = toHex(r.fixed(COLOR_SIZE, 'color'));
    const v = r.u64('amount');
    if (k <= prev) throw new DecodeError(`${what}: colors not strictly increasing`, at);
    if (v === 0n) throw new DecodeError(`${what}: zero amount`, at);
    m.set(k, v);
    prev = k;
  }
  return m;
}

export function addBalances(a: Balances, b: Balances): Balances {
  const m = new Map(a);
  for (const [k, v] of b) {
    const sum = (m.get(k) ?? 0n) + v;
    if (sum > U64_MAX) throw new RangeError('amount overflows u64');
    m.set(k, sum);
  }
  return m;
}

/** a − b, or null when some color would go negative (insufficient funds). */
export function subBalances(a: Balances, b: Balances): Balances | null {
  const m = new Map(a);
  for (const [k, v] of b) {
    const left = (m.get(k) ?? 0n) - v;
    if (left < 0n) return null;
    if (left === 0n) m.delete(k);
    else m.set(k, left);
  }
  return m;
}

export function balancesEqual(a: Balances, b: Balances): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

export const totalTokens = (b: Balances): bigint => [...b.values()].reduce((s, v) => s + v, 0n);

export function balancesToString(b: Balances): string {
  return sortedEntries(b)
    .map(([k, v]) => `${colorToString(fromHex(k))}:${v}`)
    .join(', ');
}
