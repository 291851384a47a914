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

/** Byte → two lowercase hex digits; table-driven because hex map keys are built on every request path. */
const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
/** Char code → nibble value, or -1 for a character that is not a hex digit. */
const NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  NIBBLE['0123456789abcdef'.charCodeAt(i)] = i;
  NIBBLE['0123456789ABCDEF'.charCodeAt(i)] = i;
}

export function toHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX_BYTE[b[i] as number];
  return s;
}

const nibble = (hex: string, i: number): number => {
  const c = hex.charCodeAt(i);
  return c < 128 ? (NIBBLE[c] as number) : -1;
};

/** Throws DecodeError (offset = the first bad character, or the length when it is odd): hex often comes from peers. */
export function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >>> 1);
  for (let i = 0; i < out.length; i++) {
    const hi = nibble(hex, 2 * i);
    const lo = nibble(hex, 2 * i + 1);
    if (hi < 0 || lo < 0) return badHex(hex);
    out[i] = (hi << 4) | lo;
  }
  if (hex.length % 2 !== 0) return badHex(hex);
  return out;
}

/** The slow path of fromHex: finds the error fromHex reports (the first bad character before an odd length). */
function badHex(hex: string): never {
  const bad = hex.search(/[^0-9a-fA-F]/);
  if (bad >= 0) throw new DecodeError(`not a hex string (character ${JSON.stringify(hex[bad])}): ${hex.slice(0, 40)}`, bad);
  throw new DecodeError(`not a hex string (odd length ${hex.length}): ${hex.slice(0, 40)}`, hex.length);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
export const utf8 = (s: string): Uint8Array => encoder.encode(s);
export const fromUtf8 = (b: Uint8Array): string => decoder.decode(b);
