import { blake2b256 } from './hash';
import { utf8 } from './bytes';
import { DecodeError } from './errors';

/** A contract or entry-point name's hash: uint32. */
export type Hname = number;

export const HNAME_NIL = 0;
const RESERVED_MAX = 0xffffffff;

/**
 * hname = first 4 bytes of blake2b-256(name), little-endian uint32. 0 and 0xFFFFFFFF are reserved;
 * a name whose hash starts with either takes the next 4 bytes (and so on) of the same hash.
 */
export function hname(name: string): Hname {
  return hnameFromHash(blake2b256(utf8(name)), name);
}

/** The rule behind hname(), on the hash itself: exported so the reserved-value fallback can be tested directly. */
export function hnameFromHash(h: Uint8Array, name = '(hash)'): Hname {
  const view = new DataView(h.buffer, h.byteOffset, h.byteLength);
  for (let off = 0; off + 4 <= h.length; off += 4) {
    const v = view.getUint32(off, true);
    if (v !== HNAME_NIL && v !== RESERVED_MAX) return v;
  }
  // Every 4-byte window reserved: probability 2^-255, but the function must stay total.
  throw new Error(`no valid hname for name '${name}'`);
}

/** Contract names: one rule for root (on chain), the dashboard and the CLI. Hyphens allowed (`escrow-auction`). */
export const CONTRACT_NAME_RULE = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** Why `name` cannot name a contract, or null when it can. */
export function contractNameProblem(name: string): string | null {
  if (CONTRACT_NAME_RULE.test(name)) return null;
  return `contract name '${name.length > 70 ? `${name.slice(0, 70)}…` : name}' is not allowed: 1–64 letters, digits, _ or -, starting with a letter`;
}

export function hnameToString(h: Hname): string {
  return h.toString(16).padStart(8, '0');
}

export function hnameFromString(s: string): Hname {
  if (!/^[0-9a-f]{8}$/.test(s)) throw new DecodeError(`hname must be 8 lowercase hex digits: '${s}'`, 0);
  return parseInt(s, 16);
}
