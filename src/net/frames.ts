/**
 * Length-prefixed frames on a libp2p stream: a 4-byte little-endian length (the same framing as src/nodeconn/frames.ts), then the payload. Pure: the decoder
 * is fed chunks as they arrive and returns whole frames; a length above `frameBytesMax` is a typed error
 * (the caller resets the stream) so a peer can never make us buffer without bound.
 */
export class FrameError extends Error {
  override readonly name = 'FrameError';
}

export const FRAME_HEADER_BYTES = 4;

export function encodeFrame(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_BYTES + payload.length);
  new DataView(out.buffer).setUint32(0, payload.length, true);
  out.set(payload, FRAME_HEADER_BYTES);
  return out;
}

export class FrameDecoder {
  private buf: Uint8Array = new Uint8Array(0);
  constructor(private readonly frameBytesMax: number) {}

  /** Appends a chunk and returns every frame now complete, in order. */
  push(chunk: Uint8Array): Uint8Array[] {
    this.buf = this.buf.length === 0 ? chunk.slice() : concat(this.buf, chunk);
    const frames: Uint8Array[] = [];
    let off = 0;
    while (this.buf.length - off >= FRAME_HEADER_BYTES) {
      const len = new DataView(this.buf.buffer, this.buf.byteOffset + off, FRAME_HEADER_BYTES).getUint32(0, true);
      if (len > this.frameBytesMax) throw new FrameError(`frame of ${len} bytes exceeds the ${this.frameBytesMax}-byte bound`);
      if (this.buf.length - off - FRAME_HEADER_BYTES < len) break;
      frames.push(this.buf.slice(off + FRAME_HEADER_BYTES, off + FRAME_HEADER_BYTES + len));
      off += FRAME_HEADER_BYTES + len;
    }
    this.buf = off === this.buf.length ? new Uint8Array(0) : this.buf.slice(off);
    return frames;
  }

  /** Bytes held for an incomplete frame. */
  get pendingBytes(): number {
    return this.buf.length;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
