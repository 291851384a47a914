import { DecodeError } from './errors';

/** Small byte helpers shared by every layer. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Lexicographic order; the canonical order for every sorted collection in an encoding. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

export function toHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

/** Throws DecodeError (offset = the first bad character, or the length when it is odd): hex often comes from peers. */
export function fromHex(hex: string): Uint8Array {
  const bad = hex.search(/[^0-9a-fA-F]/);
  if (bad >= 0) throw new DecodeError(`not a hex string (character ${JSON.stringify(hex[bad])}): ${hex.slice(0, 40)}`, bad);
  if (hex.length % 2 !== 0) throw new DecodeError(`not a hex string (odd length ${hex.length}): ${hex.slice(0, 40)}`, hex.length);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
export const utf8 = (s: string): Uint8Array => encoder.encode(s);
export const fromUtf8 = (b: Uint8Array): string => decoder.decode(b);
