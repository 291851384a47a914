import { DecodeError } from '../protocol/errors';
import { NODECONN_LIMITS } from './limits';

/** Frames on a libp2p stream: u32 little-endian length, then that many bytes (one encoded message). */
export function encodeFrame(message: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + message.length);
  new DataView(out.buffer).setUint32(0, message.length, true);
  out.set(message, 4);
  return out;
}

/**
 * Reassembles frames from arbitrary chunks. A frame longer than the limit is an error before its bytes
 * arrive, so a peer cannot make us buffer unbounded garbage.
 */
export class FrameReader {
  private buf = new Uint8Array(0);
  constructor(private readonly frameBytesMax: number = NODECONN_LIMITS.frameBytesMax) {}

  push(chunk: Uint8Array): Uint8Array[] {
    const merged = new Uint8Array(this.buf.length + chunk.length);
    merged.set(this.buf);
    merged.set(chunk, this.buf.length);
    const frames: Uint8Array[] = [];
    let off = 0;
    while (merged.length - off >= 4) {
      const len = new DataView(merged.buffer, off, 4).getUint32(0, true);
      if (len > this.frameBytesMax) throw new DecodeError(`frame too long: ${len} > ${this.frameBytesMax}`, off);
      if (merged.length - off - 4 < len) break;
      frames.push(merged.slice(off + 4, off + 4 + len));
      off += 4 + len;
    }
    this.buf = merged.slice(off);
    return frames;
  }

  get buffered(): number {
    return this.buf.length;
  }
}
