import { fromHex, toHex, utf8 } from '../protocol/bytes';
import { Writer } from '../protocol/codec';
import { hname } from '../protocol/hname';

/** Bound on parameters typed into the dashboard for one request. */
export const PARAMS_MAX = 32;

/**
 * Request parameters as a user types them: `u64:5`, `i64:-3`, `u32:5`, `hname:counter` (the name's hname, as
 * core contracts take contract and entry point names), `str:hello`, `hex:00ff`, or a bare value (digits
 * → u64, anything else → UTF-8 text). Throws a plain-words error for anything that cannot be encoded.
 */
export function decodeParams(params: Readonly<Record<string, string>>): Record<string, Uint8Array> {
  const entries = Object.entries(params).filter(([k]) => k.trim() !== '');
  if (entries.length > PARAMS_MAX) throw new Error(`at most ${PARAMS_MAX} parameters`);
  const out: Record<string, Uint8Array> = {};
  for (const [k, raw] of entries) out[k.trim()] = encodeParam(k.trim(), raw.trim());
  return out;
}

export function encodeParam(key: string, raw: string): Uint8Array {
  const m = /^(u64|i64|u32|hname|str|hex):(.*)$/s.exec(raw);
  const [kind, value] = m ? [m[1] as string, m[2] as string] : [/^\d+$/.test(raw) ? 'u64' : 'str', raw];
  switch (kind) {
    case 'u64': {
      if (!/^\d+$/.test(value) || BigInt(value) >= 2n ** 64n) throw new Error(`parameter '${key}': '${value}' is not a whole number from 0 to 2^64−1`);
      return new Writer().u64(BigInt(value)).finish();
    }
    case 'i64': {
      if (!/^-?\d+$/.test(value) || BigInt(value) >= 2n ** 63n || BigInt(value) < -(2n ** 63n)) throw new Error(`parameter '${key}': '${value}' is not a 64-bit signed number`);
      return new Writer().i64(BigInt(value)).finish();
    }
    case 'u32': {
      if (!/^\d+$/.test(value) || BigInt(value) >= 2n ** 32n) throw new Error(`parameter '${key}': '${value}' is not a whole number from 0 to 2^32−1`);
      return new Writer().u32(Number(value)).finish();
    }
    case 'hname':
      if (value === '') throw new Error(`parameter '${key}': hname: needs a name`);
      return new Writer().u32(hname(value)).finish();
    case 'hex':
      try {
        return fromHex(value);
      } catch {
        throw new Error(`parameter '${key}': '${value}' is not hex`);
      }
    default:
      return utf8(value);
  }
}

/** Shows a result value: 8 bytes as a number, printable UTF-8 as text, else hex. */
export function renderValue(v: Uint8Array): string {
  if (v.length === 8) return new DataView(v.buffer, v.byteOffset, 8).getBigUint64(0, true).toString();
  try {
    const s = new TextDecoder('utf-8', { fatal: true }).decode(v);
    if (/^[\x20-\x7e]*$/.test(s)) return s;
  } catch {
    // not text
  }
  return `0x${toHex(v)}`;
}
