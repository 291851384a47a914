import { decodeAll, DecodeError, readAddress, Writer, writeAddress, type Address } from '../protocol';
import { COLOR_SIZE, type Color } from '../protocol/ids';
import { fromHex, toHex } from '../protocol/bytes';
import { COMMITTEE_SIZE_MAX } from '../crypto/threshold';
import { decodeBlock, encodeBlock } from '../state/block';
import type { Block } from '../state/types';
import { decodeConsensusMsg, encodeConsensusMsg, type ConsensusMsg } from '../consensus/messages';

/**
 * The peering envelope: one connection per peer pair carries every chain's messages (spec "peering": one
 * connection no matter how many committees), so each frame names its chain and channel.
 * Frame = version u8 ‖ channel u8 ‖ chain address (33) ‖ body bytes.
 */
export const WIRE_VERSION = 1;
/** Largest frame accepted from a peer (a synced block is the biggest message). */
export const PEER_FRAME_BYTES_MAX = 4 * 1024 * 1024;

/**
 * What a node that runs a chain says about it when asked (Wasp's chain record, served by its web API there):
 * enough for a client that knows only the chain ID to boot an access node. Not proof of anything — the client
 * checks the colour against L1, and every block it then syncs is checked against its anchor on L1.
 */
export interface ChainRecordMsg {
  readonly chainColor: Color;
  /** Node IDs (hex ed25519 public keys) in committee-index order. */
  readonly committeeNodeIds: readonly string[];
  readonly t: number;
}

export type SyncMsg =
  | { readonly kind: 'syncRequest'; readonly blockIndex: number }
  | { readonly kind: 'syncBlock'; readonly block: Block }
  | { readonly kind: 'chainRecordRequest' }
  | ({ readonly kind: 'chainRecord' } & ChainRecordMsg);

export type PeerFrame =
  | { readonly channel: 'consensus'; readonly chain: Address; readonly msg: ConsensusMsg }
  | { readonly channel: 'sync'; readonly chain: Address; readonly msg: SyncMsg }
  /** DKG: `chain` carries the session's 33-byte label; the body is the crypto layer's sealed envelope. */
  | { readonly channel: 'dkg'; readonly chain: Address; readonly body: Uint8Array };

const CH = { consensus: 1, sync: 2, dkg: 3 } as const;

export function encodePeerFrame(f: PeerFrame): Uint8Array {
  const w = new Writer();
  w.u8(WIRE_VERSION).u8(CH[f.channel]);
  writeAddress(w, f.chain);
  if (f.channel === 'consensus') w.bytes(encodeConsensusMsg(f.msg));
  else if (f.channel === 'sync') {
    if (f.msg.kind === 'syncRequest') w.u8(1).u32(f.msg.blockIndex);
    else if (f.msg.kind === 'syncBlock') w.u8(2).bytes(encodeBlock(f.msg.block));
    else if (f.msg.kind === 'chainRecordRequest') w.u8(3);
    else {
      w.u8(4).fixed(f.msg.chainColor, COLOR_SIZE).u16(f.msg.t).u16(f.msg.committeeNodeIds.length);
      for (const id of f.msg.committeeNodeIds) w.fixed(fromHex(id), NODE_ID_SIZE);
    }
  } else w.bytes(f.body);
  return w.finish();
}

/** Strict; throws only DecodeError. */
export function decodePeerFrame(bytes: Uint8Array): PeerFrame {
  if (bytes.length > PEER_FRAME_BYTES_MAX) throw new DecodeError(`peer frame too large: ${bytes.length}`, 0);
  return decodeAll(bytes, 'peer frame', (r): PeerFrame => {
    const v = r.u8('wire version');
    if (v !== WIRE_VERSION) throw new DecodeError(`unknown wire version ${v}`, 0);
    const at = r.offset;
    const ch = r.u8('channel');
    const chain = readAddress(r);
    if (ch === CH.consensus) return { channel: 'consensus', chain, msg: decodeConsensusMsg(r.bytes(PEER_FRAME_BYTES_MAX, 'consensus body')) };
    if (ch === CH.sync) {
      const k = r.u8('sync kind');
      if (k === 1) return { channel: 'sync', chain, msg: { kind: 'syncRequest', blockIndex: r.u32('block index') } };
      if (k === 2) return { channel: 'sync', chain, msg: { kind: 'syncBlock', block: decodeBlock(r.bytes(PEER_FRAME_BYTES_MAX, 'block')) } };
      if (k === 3) return { channel: 'sync', chain, msg: { kind: 'chainRecordRequest' } };
      if (k === 4) return { channel: 'sync', chain, msg: decodeChainRecord(r, at) };
      throw new DecodeError(`unknown sync kind ${k}`, at);
    }
    if (ch === CH.dkg) return { channel: 'dkg', chain, body: r.bytes(PEER_FRAME_BYTES_MAX, 'dkg body') };
    throw new DecodeError(`unknown channel ${ch}`, at);
  });
}

/** Node IDs are ed25519 public keys. */
const NODE_ID_SIZE = 32;

function decodeChainRecord(r: Parameters<Parameters<typeof decodeAll>[2]>[0], at: number): { readonly kind: 'chainRecord' } & ChainRecordMsg {
  const chainColor = r.fixed(COLOR_SIZE, 'chain color');
  const t = r.u16('quorum');
  const n = r.u16('committee size');
  if (n < 1 || n > COMMITTEE_SIZE_MAX || t < 1 || t > n) throw new DecodeError(`chain record: bad committee N=${n} T=${t}`, at);
  const committeeNodeIds: string[] = [];
  for (let i = 0; i < n; i++) committeeNodeIds.push(toHex(r.fixed(NODE_ID_SIZE, 'node ID')));
  return { kind: 'chainRecord', chainColor, committeeNodeIds, t };
}
