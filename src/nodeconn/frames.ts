import { DecodeError } from '../protocol/errors';
import { encodeFrame, FRAME_HEADER_BYTES, LengthPrefixedFrames } from '../protocol/framing';
import { NODECONN_LIMITS } from './limits';

export { encodeFrame, FRAME_HEADER_BYTES };

/**
 * Nodeconn frames (src/protocol/framing.ts: linear-time reassembly, a length over the bound refused as soon as
 * its header is in): a DecodeError for a frame longer than NODECONN_LIMITS.frameBytesMax.
 */
export class FrameReader extends LengthPrefixedFrames {
  constructor(frameBytesMax: number = NODECONN_LIMITS.frameBytesMax) {
    super(frameBytesMax, (len, max, at) => new DecodeError(`frame too long: ${len} > ${max}`, at));
  }

  /** Bytes held for an incomplete frame, its header included. */
  get buffered(): number {
    return this.pendingBytes;
  }
}
