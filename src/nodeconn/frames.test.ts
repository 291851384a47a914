import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DecodeError } from '../protocol/errors';
import { encodeFrame, FRAME_HEADER_BYTES, FrameReader } from './frames';

const MiB = 1024 * 1024;

function wireOf(payloads: readonly Uint8Array[]): Uint8Array {
  const wire = new Uint8Array(payloads.reduce((n, p) => n + FRAME_HEADER_BYTES + p.length, 0));
  let off = 0;
  for (const p of payloads) {
    wire.set(encodeFrame(p), off);
    off += FRAME_HEADER_BYTES + p.length;
  }
  return wire;
}

describe('nodeconn FrameReader', () => {
  it('reassembles frames from any chunking, copying each byte at most twice', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 60 }), { maxLength: 10 }), fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1 }), (payloads, cuts) => {
        const wire = wireOf(payloads);
        const r = new FrameReader(1024);
        const out: Uint8Array[] = [];
        for (let i = 0, k = 0; i < wire.length; k++) {
          const step = cuts[k % cuts.length] as number;
          out.push(...r.push(wire.subarray(i, i + step)));
          i += step;
        }
        expect(out).toEqual(payloads);
        expect(r.buffered).toBe(0);
        expect(r.bytesCopied).toBeLessThanOrEqual(2 * wire.length);
      }),
    );
  });

  it('returned frames do not alias the pushed chunks', () => {
    const r = new FrameReader(64);
    const wire = wireOf([Uint8Array.of(1, 2, 3)]);
    const [f] = r.push(wire);
    wire.fill(0);
    expect(f).toEqual(Uint8Array.of(1, 2, 3));
    const split = wireOf([Uint8Array.of(7, 8, 9, 10)]);
    expect(r.push(split.subarray(0, 6))).toEqual([]);
    split.fill(0, 0, 6); // the caller reuses its buffer: the reader kept its own copy
    expect(r.push(split.subarray(6))).toEqual([Uint8Array.of(7, 8, 9, 10)]);
  });

  it('chunks that are Node Buffers reused after push (ws and net deliver those) do not leak into frames', () => {
    // Buffer#slice is a view, not a copy: a reader that "copied" with it returned frames that changed under it.
    const payloads = [Uint8Array.of(1, 2, 3), new Uint8Array(5000).fill(7), Uint8Array.of(9)];
    const wire = wireOf(payloads);
    const pool = Buffer.alloc(wire.length);
    const r = new FrameReader(8192);
    const out: Uint8Array[] = [];
    for (const [a, b] of [[0, 2], [2, 9], [9, 3000], [3000, wire.length]] as const) {
      pool.set(wire.subarray(a, b), a);
      out.push(...r.push(pool.subarray(a, b)));
      pool.fill(0xee); // the transport reuses its buffer
    }
    expect(out).toEqual(payloads);
    const whole = Buffer.from(wire);
    const frames = r.push(whole);
    whole.fill(0);
    expect(frames).toEqual(payloads);
  });

  it('four 8 MiB frames in 2 KiB chunks: linear copying (≤ 2× the bytes), never more than one frame held', () => {
    const frameBytes = 8 * MiB - 4;
    const payloads = [0, 1, 2, 3].map((i) => new Uint8Array(frameBytes).fill(i + 1));
    const wire = wireOf(payloads);
    const r = new FrameReader(8 * MiB);
    const out: Uint8Array[] = [];
    let maxBuffered = 0;
    for (let off = 0; off < wire.length; off += 2048) {
      out.push(...r.push(wire.subarray(off, off + 2048)));
      maxBuffered = Math.max(maxBuffered, r.buffered);
    }
    expect(out.map((f) => [f.length, f[0], f[f.length - 1]])).toEqual(payloads.map((p) => [p.length, p[0], p[0]]));
    // Quadratic re-joining would copy ~ frameBytes² / (2 × 2 KiB) ≈ 16 GiB per frame; linear stays below 2 × 32 MiB.
    expect(r.bytesCopied).toBeLessThanOrEqual(2 * wire.length);
    expect(maxBuffered).toBeLessThanOrEqual(FRAME_HEADER_BYTES + 8 * MiB);
  });

  it('refuses a frame above the bound from its header alone, also when the header is split', () => {
    const r = new FrameReader(10);
    expect(() => r.push(encodeFrame(new Uint8Array(11)).subarray(0, 4))).toThrow(DecodeError);
    const r2 = new FrameReader(10);
    expect(r2.push(Uint8Array.of(11))).toEqual([]);
    expect(() => r2.push(Uint8Array.of(0, 0, 0))).toThrow(/frame too long: 11 > 10/);
    const r3 = new FrameReader(8 * MiB);
    expect(() => r3.push(Uint8Array.of(0xff, 0xff, 0xff, 0xff))).toThrow(DecodeError);
  });

  it('zero-length frames, alone and after a split header', () => {
    const r = new FrameReader(10);
    expect(r.push(Uint8Array.of(0, 0, 0, 0, 0, 0))).toEqual([new Uint8Array(0)]);
    expect(r.push(Uint8Array.of(0, 0))).toEqual([new Uint8Array(0)]);
    expect(r.buffered).toBe(0);
  });
});
