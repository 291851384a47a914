import { encodeFrame, FRAME_HEADER_BYTES, LengthPrefixedFrames } from '../protocol/framing';

export { encodeFrame, FRAME_HEADER_BYTES };

/** A peer's frame over the bound: the caller resets the stream, so a peer can never make us buffer without bound. */
export class FrameError extends Error {
  override readonly name = 'FrameError';
}

/** Peering frames: src/protocol/framing.ts's reassembler with a FrameError for a frame over `frameBytesMax`. */
export class FrameDecoder extends LengthPrefixedFrames {
  constructor(frameBytesMax: number) {
    super(frameBytesMax, (len, max) => new FrameError(`frame of ${len} bytes exceeds the ${max}-byte bound`));
  }
}
