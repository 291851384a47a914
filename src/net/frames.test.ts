import { describe, expect, it } from 'vitest';
import { encodeFrame, FRAME_HEADER_BYTES, FrameDecoder, FrameError } from './frames';

const MiB = 1024 * 1024;

describe('net FrameDecoder', () => {
  it('four 8 MiB frames in 2 KiB chunks: linear copying (≤ 2× the bytes), never more than one frame held', () => {
    const payloads = [0, 1, 2, 3].map((i) => new Uint8Array(8 * MiB - 4).fill(i + 1));
    const wire = new Uint8Array(payloads.length * 8 * MiB);
    payloads.forEach((p, i) => wire.set(encodeFrame(p), i * 8 * MiB));
    const dec = new FrameDecoder(8 * MiB);
    const out: Uint8Array[] = [];
    let maxPending = 0;
    for (let off = 0; off < wire.length; off += 2048) {
      out.push(...dec.push(wire.subarray(off, off + 2048)));
      maxPending = Math.max(maxPending, dec.pendingBytes);
    }
    expect(out.map((f) => [f.length, f[0], f[f.length - 1]])).toEqual(payloads.map((p) => [p.length, p[0], p[0]]));
    // Re-joining the buffer per chunk (the old decoder) copies ~16 GiB per frame here.
    expect(dec.bytesCopied).toBeLessThanOrEqual(2 * wire.length);
    expect(maxPending).toBeLessThanOrEqual(FRAME_HEADER_BYTES + 8 * MiB);
    expect(dec.pendingBytes).toBe(0);
  });

  it('a split header announcing too much is refused before any payload', () => {
    const dec = new FrameDecoder(10);
    expect(dec.push(Uint8Array.of(11, 0))).toEqual([]);
    expect(() => dec.push(Uint8Array.of(0, 0))).toThrow(FrameError);
  });

  it('frames from reused Node Buffers are copies (Buffer#slice would be a view)', () => {
    const dec = new FrameDecoder(64);
    const buf = Buffer.from(encodeFrame(Uint8Array.of(5, 6, 7)));
    const [f] = dec.push(buf);
    buf.fill(0);
    expect(f).toEqual(Uint8Array.of(5, 6, 7));
    const split = Buffer.from(encodeFrame(Uint8Array.of(1, 2, 3, 4)));
    expect(dec.push(split.subarray(0, 6))).toEqual([]);
    split.fill(0, 0, 6);
    expect(dec.push(split.subarray(6))).toEqual([Uint8Array.of(1, 2, 3, 4)]);
  });

  it('keeps a copy of a partial frame, not a view of the caller buffer', () => {
    const dec = new FrameDecoder(16);
    const wire = encodeFrame(Uint8Array.of(1, 2, 3, 4));
    expect(dec.push(wire.subarray(0, 6))).toEqual([]);
    wire.fill(0, 0, 6);
    expect(dec.push(wire.subarray(6))).toEqual([Uint8Array.of(1, 2, 3, 4)]);
  });
});
