import { ed25519 } from '@noble/curves/ed25519.js';
import { base58Decode, base58Encode } from '../protocol/base58';
import { fromHex, toHex } from '../protocol/bytes';

/**
 * The binding between a tab's NODE key (its committee identity, held by the worker) and its libp2p peer ID
 * (a fresh key per page load, held by the page). The node key signs `BINDING_DOMAIN || peerId`; noise already
 * proves the peer ID on every connection, so one signature per page load makes every frame on that
 * connection attributable to the node. See docs/decisions/browser-page-worker-split.md.
 */
export const BINDING_DOMAIN = 'iscp/peering-bind/1:';
export const NODE_PUBLIC_KEY_BYTES = 32;
export const NODE_SIGNATURE_BYTES = 64;

export interface NodeBinding {
  /** hex of the node's ed25519 public key: the node ID (as src/node and the registry spell it). */
  readonly nodeId: string;
  readonly peerId: string;
  /** base58 of ed25519(nodeKey, bindingMessage(peerId)). */
  readonly signature: string;
}

export function bindingMessage(peerId: string): Uint8Array {
  return new TextEncoder().encode(BINDING_DOMAIN + peerId);
}

/** Used by whoever holds the node secret key (the worker). */
export function signBinding(secretKey: Uint8Array, peerId: string): NodeBinding {
  const nodeId = toHex(ed25519.getPublicKey(secretKey));
  return { nodeId, peerId, signature: base58Encode(ed25519.sign(bindingMessage(peerId), secretKey)) };
}

/** True only when the signature is the node key's over this exact peer ID. Never throws. */
export function verifyBinding(b: NodeBinding): boolean {
  try {
    if (!/^[0-9a-f]{64}$/.test(b.nodeId)) return false;
    const pub = fromHex(b.nodeId);
    const sig = base58Decode(b.signature);
    if (pub.length !== NODE_PUBLIC_KEY_BYTES || sig.length !== NODE_SIGNATURE_BYTES) return false;
    return ed25519.verify(sig, bindingMessage(b.peerId), pub);
  } catch {
    return false;
  }
}
