import {
  agentIDBytes,
  agentIDFromBytes,
  compareBytes,
  decodeAll,
  fromHex,
  fromUtf8,
  readAddress,
  readBalances,
  toHex,
  utf8,
  Writer,
  writeAddress,
  writeBalances,
  type Address,
  type AgentID,
  type Args,
  type Balances,
  type Hname,
} from '../protocol';
import { VMError } from './errors';

/**
 * Params and results: byte keys → byte values (the spec's "collection of key/value pairs"). Typed getters
 * decode with the encodings below and turn any malformed value into VMError('BadParams').
 *
 * Value encodings (also the wasm host ABI's): integers little-endian (u64/i64 8 bytes, u32/hname 4 bytes),
 * strings UTF-8, bool 1 byte, address 33 bytes, agent ID 37 bytes, color/hash 32 bytes, balances as the
 * protocol's balances codec.
 */
export class Dict {
  private readonly m = new Map<string, Uint8Array>();

  static fromArgs(args: Args): Dict {
    const d = new Dict();
    for (const [k, v] of args) d.set(k, v);
    return d;
  }
  static of(entries: Record<string, Uint8Array>): Dict {
    const d = new Dict();
    for (const [k, v] of Object.entries(entries)) d.set(k, v);
    return d;
  }

  get size(): number {
    return this.m.size;
  }
  set(key: string | Uint8Array, value: Uint8Array): this {
    const kb = typeof key === 'string' ? utf8(key) : key;
    if (kb.length === 0) throw new VMError('BadParams', 'empty key');
    this.m.set(toHex(kb), value);
    return this;
  }
  get(key: string | Uint8Array): Uint8Array | undefined {
    return this.m.get(toHex(typeof key === 'string' ? utf8(key) : key));
  }
  has(key: string | Uint8Array): boolean {
    return this.get(key) !== undefined;
  }
  delete(key: string | Uint8Array): void {
    this.m.delete(toHex(typeof key === 'string' ? utf8(key) : key));
  }
  /** Entries sorted by key bytes (the canonical order of Args). */
  entries(): [Uint8Array, Uint8Array][] {
    return [...this.m.entries()].map(([k, v]) => [fromHex(k), v] as [Uint8Array, Uint8Array]).sort(([a], [b]) => compareBytes(a, b));
  }
  toArgs(): Args {
    return this.entries();
  }
  byteSize(): number {
    let n = 0;
    for (const [k, v] of this.m) n += k.length / 2 + v.length;
    return n;
  }
  clone(): Dict {
    const d = new Dict();
    for (const [k, v] of this.entries()) d.set(k, v);
    return d;
  }

  /* typed getters: `required` missing → BadParams; present but malformed → BadParams */
  bytes(key: string): Uint8Array {
    const v = this.get(key);
    if (v === undefined) throw new VMError('BadParams', `missing parameter '${key}'`);
    return v;
  }
  optBytes(key: string): Uint8Array | undefined {
    return this.get(key);
  }
  u64(key: string): bigint {
    return decU64(this.bytes(key), key);
  }
  optU64(key: string, dflt: bigint): bigint {
    const v = this.get(key);
    return v === undefined ? dflt : decU64(v, key);
  }
  i64(key: string): bigint {
    return decI64(this.bytes(key), key);
  }
  optI64(key: string, dflt: bigint): bigint {
    const v = this.get(key);
    return v === undefined ? dflt : decI64(v, key);
  }
  u32(key: string): number {
    return decU32(this.bytes(key), key);
  }
  optU32(key: string, dflt: number): number {
    const v = this.get(key);
    return v === undefined ? dflt : decU32(v, key);
  }
  hname(key: string): Hname {
    return this.u32(key);
  }
  string(key: string): string {
    return decString(this.bytes(key), key);
  }
  optString(key: string, dflt: string): string {
    const v = this.get(key);
    return v === undefined ? dflt : decString(v, key);
  }
  hash(key: string): Uint8Array {
    const v = this.bytes(key);
    if (v.length !== 32) throw new VMError('BadParams', `'${key}' must be 32 bytes, got ${v.length}`);
    return v;
  }
  agentID(key: string): AgentID {
    return decAgentID(this.bytes(key), key);
  }
  optAgentID(key: string): AgentID | undefined {
    const v = this.get(key);
    return v === undefined ? undefined : decAgentID(v, key);
  }
  address(key: string): Address {
    return decAddress(this.bytes(key), key);
  }
  balances(key: string): Balances {
    return decBalances(this.bytes(key), key);
  }
}

/* ---------------------------------------------------------------- encoders (for results and state values) */

export const encU64 = (v: bigint): Uint8Array => new Writer(8).u64(v).finish();
export const encI64 = (v: bigint): Uint8Array => new Writer(8).i64(v).finish();
export const encU32 = (v: number): Uint8Array => new Writer(4).u32(v).finish();
export const encHname = encU32;
export const encString = (s: string): Uint8Array => utf8(s);
export const encBool = (b: boolean): Uint8Array => Uint8Array.of(b ? 1 : 0);
export const encAgentID = (a: AgentID): Uint8Array => agentIDBytes(a);
export function encAddress(a: Address): Uint8Array {
  const w = new Writer();
  writeAddress(w, a);
  return w.finish();
}
export function encBalances(b: Balances): Uint8Array {
  const w = new Writer();
  writeBalances(w, b);
  return w.finish();
}

/* ---------------------------------------------------------------- decoders: throw VMError('BadParams') */

function bad(key: string, e: unknown): never {
  throw new VMError('BadParams', `'${key}': ${(e as Error).message}`);
}
export function decU64(b: Uint8Array, key = 'value'): bigint {
  if (b.length !== 8) throw new VMError('BadParams', `'${key}' must be 8 bytes (u64), got ${b.length}`);
  return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
}
export function decI64(b: Uint8Array, key = 'value'): bigint {
  if (b.length !== 8) throw new VMError('BadParams', `'${key}' must be 8 bytes (i64), got ${b.length}`);
  return new DataView(b.buffer, b.byteOffset, 8).getBigInt64(0, true);
}
export function decU32(b: Uint8Array, key = 'value'): number {
  if (b.length !== 4) throw new VMError('BadParams', `'${key}' must be 4 bytes (u32), got ${b.length}`);
  return new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
}
export function decString(b: Uint8Array, key = 'value'): string {
  try {
    return fromUtf8(b);
  } catch (e) {
    return bad(key, e);
  }
}
export function decAgentID(b: Uint8Array, key = 'value'): AgentID {
  try {
    return agentIDFromBytes(b);
  } catch (e) {
    return bad(key, e);
  }
}
export function decAddress(b: Uint8Array, key = 'value'): Address {
  try {
    return decodeAll(b, 'address', readAddress);
  } catch (e) {
    return bad(key, e);
  }
}
export function decBalances(b: Uint8Array, key = 'value'): Balances {
  try {
    return decodeAll(b, 'balances', (r) => readBalances(r));
  } catch (e) {
    return bad(key, e);
  }
}
