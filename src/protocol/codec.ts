import { DecodeError } from './errors';
import { LIMITS } from './limits';
import { fromUtf8, utf8 } from './bytes';

/**
 * Deterministic binary codec: little-endian integers, u32 length prefixes.
 * The same logical value always gives the same bytes; collections are sorted by their callers.
 */
export class Writer {
  private buf: Uint8Array;
  /** A view over `buf`, kept with it: a DataView per integer written was a large share of the codec's garbage. */
  private view: DataView;
  private len = 0;

  /** `capacity`: the initial buffer; fixed-size encodings (IDs, integers) pass their size and never grow. */
  constructor(capacity = 256) {
    this.buf = new Uint8Array(Math.max(1, capacity));
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): this {
    assertInt(v, 0, 0xff, 'u8');
    this.ensure(1);
    this.buf[this.len++] = v;
    return this;
  }
  u16(v: number): this {
    assertInt(v, 0, 0xffff, 'u16');
    this.ensure(2);
    this.view.setUint16(this.len, v, true);
    this.len += 2;
    return this;
  }
  u32(v: number): this {
    assertInt(v, 0, 0xffffffff, 'u32');
    this.ensure(4);
    this.view.setUint32(this.len, v, true);
    this.len += 4;
    return this;
  }
  u64(v: bigint): this {
    if (v < 0n || v > 0xffffffffffffffffn) throw new RangeError(`u64 out of range: ${v}`);
    this.ensure(8);
    this.view.setBigUint64(this.len, v, true);
    this.len += 8;
    return this;
  }
  i64(v: bigint): this {
    if (v < -(1n << 63n) || v >= 1n << 63n) throw new RangeError(`i64 out of range: ${v}`);
    this.ensure(8);
    this.view.setBigInt64(this.len, v, true);
    this.len += 8;
    return this;
  }
  bool(v: boolean): this {
    return this.u8(v ? 1 : 0);
  }
  /** Fixed-size bytes, no prefix: the reader must know the size. */
  fixed(b: Uint8Array, size: number): this {
    if (b.length !== size) throw new RangeError(`expected ${size} bytes, got ${b.length}`);
    this.ensure(size);
    this.buf.set(b, this.len);
    this.len += size;
    return this;
  }
  /** u32 length prefix, then the bytes. */
  bytes(b: Uint8Array): this {
    this.u32(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }
  string(s: string): this {
    return this.bytes(utf8(s));
  }
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

function assertInt(v: number, min: number, max: number, what: string): void {
  if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`${what} out of range: ${v}`);
}

export class Reader {
  private off = 0;
  private readonly view: DataView;
  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get offset(): number {
    return this.off;
  }
  get remaining(): number {
    return this.buf.length - this.off;
  }

  private need(n: number, what: string): void {
    if (this.off + n > this.buf.length) throw new DecodeError(`truncated ${what}: need ${n} bytes, have ${this.remaining}`, this.off);
  }
  u8(what = 'u8'): number {
    this.need(1, what);
    return this.buf[this.off++] as number;
  }
  u16(what = 'u16'): number {
    this.need(2, what);
    const v = this.view.getUint16(this.off, true);
    this.off += 2;
    return v;
  }
  u32(what = 'u32'): number {
    this.need(4, what);
    const v = this.view.getUint32(this.off, true);
    this.off += 4;
    return v;
  }
  u64(what = 'u64'): bigint {
    this.need(8, what);
    const v = this.view.getBigUint64(this.off, true);
    this.off += 8;
    return v;
  }
  i64(what = 'i64'): bigint {
    this.need(8, what);
    const v = this.view.getBigInt64(this.off, true);
    this.off += 8;
    return v;
  }
  bool(what = 'bool'): boolean {
    const at = this.off;
    const v = this.u8(what);
    if (v > 1) throw new DecodeError(`${what}: not a boolean (${v})`, at);
    return v === 1;
  }
  fixed(size: number, what = 'bytes'): Uint8Array {
    this.need(size, what);
    const out = this.buf.slice(this.off, this.off + size);
    this.off += size;
    return out;
  }
  bytes(max: number = LIMITS.bytesMax, what = 'bytes'): Uint8Array {
    const at = this.off;
    const len = this.u32(`${what} length`);
    if (len > max) throw new DecodeError(`${what} too long: ${len} > ${max}`, at);
    return this.fixed(len, what);
  }
  string(max: number = LIMITS.stringBytesMax, what = 'string'): string {
    const at = this.off;
    const b = this.bytes(max, what);
    try {
      return fromUtf8(b);
    } catch {
      throw new DecodeError(`${what}: invalid UTF-8`, at);
    }
  }
  /** A count prefix checked against its bound before anything is allocated. */
  count(max: number, what: string): number {
    const at = this.off;
    const n = this.u32(`${what} count`);
    if (n > max) throw new DecodeError(`too many ${what}: ${n} > ${max}`, at);
    return n;
  }
  /** Every top-level decode ends here: trailing garbage is an error, not ignored. */
  end(what = 'value'): void {
    if (this.remaining !== 0) throw new DecodeError(`${this.remaining} trailing bytes after ${what}`, this.off);
  }
}

/**
 * Runs a decoder over a whole buffer and guarantees the only error that escapes is DecodeError
 * (a RangeError from a DataView or a bug in a nested decoder becomes a DecodeError too).
 */
export function decodeAll<T>(bytes: Uint8Array, what: string, read: (r: Reader) => T): T {
  const r = new Reader(bytes);
  try {
    const v = read(r);
    r.end(what);
    return v;
  } catch (e) {
    if (e instanceof DecodeError) throw e;
    throw new DecodeError(`${what}: ${(e as Error).message}`, r.offset);
  }
}
