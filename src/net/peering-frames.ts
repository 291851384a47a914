import { base58Decode, base58Encode } from '../protocol/base58';
import { fromHex, toHex } from '../protocol/bytes';
import { NODE_PUBLIC_KEY_BYTES, NODE_SIGNATURE_BYTES, type NodeBinding } from './binding';

/**
 * Payloads of `/iscp/peering/1.0.0` frames. The first frame on every stream is `hello` (the sender's node
 * binding); then `data` carries the node's envelope untouched (the envelope names the chain, so one stream
 * serves every committee two nodes share); `echo`/`echoReply` measure the round trip on the very stream;
 * `directReset` (sent by a dialer whose WebRTC dial failed, over the relayed link) tells the other side that any
 * direct connection it holds to the sender is dead — the sender has none, or it would not have dialed.
 */
export type PeeringFrame =
  | { readonly kind: 'hello'; readonly nodeId: string; readonly signature: string }
  | { readonly kind: 'data'; readonly data: Uint8Array }
  | { readonly kind: 'echo'; readonly seq: number }
  | { readonly kind: 'echoReply'; readonly seq: number }
  | { readonly kind: 'directReset' };

const HELLO = 0;
const DATA = 1;
const ECHO = 2;
const ECHO_REPLY = 3;
const DIRECT_RESET = 4;

export class PeeringFrameError extends Error {
  override readonly name = 'PeeringFrameError';
}

export function encodePeeringFrame(f: PeeringFrame): Uint8Array {
  switch (f.kind) {
    case 'hello': {
      const out = new Uint8Array(1 + NODE_PUBLIC_KEY_BYTES + NODE_SIGNATURE_BYTES);
      out[0] = HELLO;
      out.set(fromHex(f.nodeId), 1);
      out.set(base58Decode(f.signature), 1 + NODE_PUBLIC_KEY_BYTES);
      return out;
    }
    case 'data': {
      const out = new Uint8Array(1 + f.data.length);
      out[0] = DATA;
      out.set(f.data, 1);
      return out;
    }
    case 'directReset':
      return Uint8Array.of(DIRECT_RESET);
    case 'echo':
    case 'echoReply': {
      const out = new Uint8Array(5);
      out[0] = f.kind === 'echo' ? ECHO : ECHO_REPLY;
      new DataView(out.buffer).setUint32(1, f.seq >>> 0, false);
      return out;
    }
  }
}

export function decodePeeringFrame(b: Uint8Array): PeeringFrame {
  if (b.length === 0) throw new PeeringFrameError('empty peering frame');
  switch (b[0]) {
    case HELLO:
      if (b.length !== 1 + NODE_PUBLIC_KEY_BYTES + NODE_SIGNATURE_BYTES) throw new PeeringFrameError(`hello of ${b.length} bytes`);
      return {
        kind: 'hello',
        nodeId: toHex(b.subarray(1, 1 + NODE_PUBLIC_KEY_BYTES)),
        signature: base58Encode(b.subarray(1 + NODE_PUBLIC_KEY_BYTES)),
      };
    case DATA:
      return { kind: 'data', data: b.subarray(1) };
    case ECHO:
    case ECHO_REPLY: {
      if (b.length !== 5) throw new PeeringFrameError(`echo of ${b.length} bytes`);
      const seq = new DataView(b.buffer, b.byteOffset + 1, 4).getUint32(0, false);
      return { kind: b[0] === ECHO ? 'echo' : 'echoReply', seq };
    }
    case DIRECT_RESET:
      if (b.length !== 1) throw new PeeringFrameError(`directReset of ${b.length} bytes`);
      return { kind: 'directReset' };
    default:
      throw new PeeringFrameError(`unknown peering frame type ${b[0]}`);
  }
}

export function helloFrom(binding: NodeBinding): PeeringFrame {
  return { kind: 'hello', nodeId: binding.nodeId, signature: binding.signature };
}
