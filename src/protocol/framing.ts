/**
 * Length-prefixed frames on a byte stream: u32 little-endian length, then that many bytes. The one reassembler
 * of both stream protocols (nodeconn, peering): each wraps it with its own bound and error type.
 */
export const FRAME_HEADER_BYTES = 4;

export function encodeFrame(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_BYTES + payload.length);
  new DataView(out.buffer).setUint32(0, payload.length, true);
  out.set(payload, FRAME_HEADER_BYTES);
  return out;
}

/**
 * Reassembles frames from arbitrary chunks, in time linear in the bytes pushed: the bytes of an incomplete frame
 * are kept as a list of chunks and joined once, when the frame completes (re-joining the whole buffer per chunk
 * made a large frame in small chunks quadratic: 14 s of CPU for one 8 MiB frame in 2 KiB chunks). A frame longer
 * than the limit is an error as soon as its header is in, before its bytes arrive, so a peer can never make us
 * hold more than `frameBytesMax` (+ the header) for a partial frame.
 */
export class LengthPrefixedFrames {
  /** Bytes of the incomplete frame: header bytes while `frameLen` is unknown, payload bytes after. Owned copies. */
  private held: Uint8Array[] = [];
  private heldBytes = 0;
  /** Payload length of the frame in progress, once its whole header is in. */
  private frameLen: number | undefined;
  /**
   * Bytes copied so far. Each byte is copied at most twice (kept, then joined), so this stays below 2× the bytes
   * pushed whatever the chunking: the tests check that instead of timing anything.
   */
  bytesCopied = 0;

  constructor(
    private readonly frameBytesMax: number,
    /** The error for a length over the bound (`at`: its offset in the chunk): each layer throws its own type. */
    private readonly tooLong: (len: number, max: number, at: number) => Error,
  ) {}

  /** Appends a chunk (not retained: the reader copies what it keeps) and returns every frame now complete, in order. */
  push(chunk: Uint8Array): Uint8Array[] {
    const frames: Uint8Array[] = [];
    let off = 0;
    while (off < chunk.length) {
      if (this.frameLen !== undefined) {
        // A payload in progress: take what it still needs.
        const take = Math.min(this.frameLen - this.heldBytes, chunk.length - off);
        this.hold(chunk.subarray(off, off + take));
        off += take;
        if (this.heldBytes < this.frameLen) break;
        frames.push(this.takeHeld());
        this.frameLen = undefined;
      } else if (this.heldBytes > 0) {
        // A header split across chunks.
        const take = Math.min(FRAME_HEADER_BYTES - this.heldBytes, chunk.length - off);
        this.hold(chunk.subarray(off, off + take));
        off += take;
        if (this.heldBytes < FRAME_HEADER_BYTES) break;
        const header = this.takeHeld();
        const len = this.checkLength(new DataView(header.buffer, header.byteOffset, FRAME_HEADER_BYTES).getUint32(0, true), 0);
        if (len === 0) frames.push(new Uint8Array(0));
        else this.frameLen = len;
      } else {
        // Nothing pending: whole frames come straight out of the chunk (one copy each).
        const avail = chunk.length - off;
        if (avail < FRAME_HEADER_BYTES) {
          this.hold(chunk.subarray(off));
          break;
        }
        const len = this.checkLength(new DataView(chunk.buffer, chunk.byteOffset + off, FRAME_HEADER_BYTES).getUint32(0, true), off);
        if (avail - FRAME_HEADER_BYTES < len) {
          this.frameLen = len;
          this.hold(chunk.subarray(off + FRAME_HEADER_BYTES));
          break;
        }
        frames.push(this.copy(chunk.subarray(off + FRAME_HEADER_BYTES, off + FRAME_HEADER_BYTES + len)));
        off += FRAME_HEADER_BYTES + len;
      }
    }
    return frames;
  }

  /** Bytes held for an incomplete frame, its header included; never more than FRAME_HEADER_BYTES + frameBytesMax. */
  get pendingBytes(): number {
    return this.heldBytes + (this.frameLen === undefined ? 0 : FRAME_HEADER_BYTES);
  }

  private checkLength(len: number, at: number): number {
    if (len > this.frameBytesMax) throw this.tooLong(len, this.frameBytesMax, at);
    return len;
  }

  /** A real copy: on a Node Buffer (what ws and net deliver) `.slice()` is a view into memory that gets reused. */
  private copy(b: Uint8Array): Uint8Array {
    this.bytesCopied += b.length;
    const out = new Uint8Array(b.length);
    out.set(b);
    return out;
  }

  /** Keeps a copy: a view would pin the caller's (possibly much larger) buffer for as long as the frame is partial. */
  private hold(b: Uint8Array): void {
    if (b.length === 0) return;
    this.held.push(this.copy(b));
    this.heldBytes += b.length;
  }

  /** The held bytes as one array (the only second copy, and none when they are a single chunk); clears them. */
  private takeHeld(): Uint8Array {
    let out: Uint8Array;
    if (this.held.length === 1) out = this.held[0] as Uint8Array;
    else {
      out = new Uint8Array(this.heldBytes);
      let o = 0;
      for (const c of this.held) {
        out.set(c, o);
        o += c.length;
      }
      this.bytesCopied += this.heldBytes;
    }
    this.held = [];
    this.heldBytes = 0;
    return out;
  }
}
