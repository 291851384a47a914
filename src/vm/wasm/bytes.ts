/** Bounded byte reader/writer with the wasm LEB128 rules (length limits, unused bits must be sign/zero bits). */
import { reject } from './errors';

export class ByteReader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    pos = 0,
    readonly end = buf.length,
  ) {
    this.pos = pos;
  }

  get eof(): boolean {
    return this.pos >= this.end;
  }

  byte(): number {
    if (this.pos >= this.end) reject('Malformed', `unexpected end at byte ${this.pos}`);
    return this.buf[this.pos++] as number;
  }

  bytes(n: number): Uint8Array {
    if (n < 0 || this.pos + n > this.end) reject('Malformed', `length ${n} at byte ${this.pos} overruns its section`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Unsigned LEB128, at most 5 bytes, value < 2^32. */
  u32(): number {
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      const b = this.byte();
      if (i === 4 && (b & 0xf0) !== 0) reject('Malformed', `u32 LEB128 too large at byte ${this.pos - 1}`);
      result += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if ((b & 0x80) === 0) return result;
    }
    return reject('Malformed', `u32 LEB128 longer than 5 bytes at byte ${this.pos}`);
  }

  /** Signed LEB128 of `bits` width (32, 33 or 64), returned as bigint (exact for every width). */
  sleb(bits: 32 | 33 | 64): bigint {
    const maxBytes = Math.ceil(bits / 7);
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < maxBytes; i++) {
      const b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if ((b & 0x80) === 0) {
        if (i === maxBytes - 1) {
          // Unused high bits of the last byte must all equal the sign bit (spec: "integer too large").
          const used = bits - 7 * (maxBytes - 1);
          const sign = (b >> (used - 1)) & 1;
          const upperMask = (1 << (7 - used)) - 1;
          const upper = (b >> used) & upperMask;
          if (upper !== (sign ? upperMask : 0)) reject('Malformed', `s${bits} LEB128 out of range at byte ${this.pos - 1}`);
        }
        if (b & 0x40) result -= 1n << shift;
        return result;
      }
    }
    return reject('Malformed', `s${bits} LEB128 too long at byte ${this.pos}`);
  }

  s32(): number {
    return Number(this.sleb(32));
  }

  /** UTF-8 name (vec of bytes), rejected if not valid UTF-8. */
  name(maxBytes: number): string {
    const len = this.u32();
    if (len > maxBytes) reject('TooLarge', `name of ${len} bytes exceeds ${maxBytes}`);
    const raw = this.bytes(len);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      return reject('Malformed', `name at byte ${this.pos - len} is not valid UTF-8`);
    }
  }
}

export class ByteWriter {
  private buf: Uint8Array;
  length = 0;
  constructor(initialBytes = 64) {
    this.buf = new Uint8Array(initialBytes);
  }

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  byte(b: number): this {
    this.ensure(1);
    this.buf[this.length++] = b & 0xff;
    return this;
  }

  bytes(b: Uint8Array | readonly number[]): this {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  u32(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`u32 out of range: ${v}`);
    do {
      let b = v % 128;
      v = Math.floor(v / 128);
      if (v !== 0) b |= 0x80;
      this.byte(b);
    } while (v !== 0);
    return this;
  }

  sleb(v: bigint | number): this {
    if (typeof v === 'number' && v >= -0x80000000 && v <= 0x7fffffff && Number.isInteger(v)) {
      // Fast path without BigInt: instrumentation writes many small constants.
      let x = v | 0;
      for (;;) {
        const b = x & 0x7f;
        x >>= 7;
        const done = (x === 0 && (b & 0x40) === 0) || (x === -1 && (b & 0x40) !== 0);
        this.byte(done ? b : b | 0x80);
        if (done) return this;
      }
    }
    let x = BigInt(v);
    for (;;) {
      const b = Number(x & 0x7fn);
      x >>= 7n;
      const done = (x === 0n && (b & 0x40) === 0) || (x === -1n && (b & 0x40) !== 0);
      this.byte(done ? b : b | 0x80);
      if (done) return this;
    }
  }

  /** Copies buf[start..end) without allocating a view. */
  range(buf: Uint8Array, start: number, end: number): this {
    this.ensure(end - start);
    for (let i = start; i < end; i++) this.buf[this.length++] = buf[i] as number;
    return this;
  }

  name(s: string): this {
    const raw = new TextEncoder().encode(s);
    return this.u32(raw.length).bytes(raw);
  }

  /** Writes `inner` prefixed with its u32 length (sections, function bodies). */
  sized(inner: ByteWriter): this {
    return this.u32(inner.length).bytes(inner.finish());
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}
