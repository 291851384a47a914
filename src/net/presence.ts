import { verifyBinding, type NodeBinding } from './binding';
import { NET_LIMITS } from './limits';

/** What a tab announces on gossipsub `iscp/peers/1`: who it is and where to reach it. */
export interface Presence {
  readonly v: 1;
  readonly peerId: string;
  readonly nodeId: string;
  readonly name: string;
  readonly multiaddrs: readonly string[];
  /** The node key's signature binding nodeId to peerId (see binding.ts). */
  readonly signature: string;
  /** Sender's clock, for display only. */
  readonly sentAtMs: number;
  /**
   * Random per page load. The peer ID survives a reload (its key is kept per node name), so a new incarnation is
   * how others learn that the old connections are dead and must be dropped.
   */
  readonly incarnation: string;
}

export function encodePresence(p: Presence): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(p));
}

/**
 * Decodes and checks an announcement: well-formed, within bounds, sent by the peer it names (gossipsub
 * StrictSign authenticates `from`), and bound to its node key. Returns undefined for anything else.
 */
export function decodePresence(bytes: Uint8Array, from: string): Presence | undefined {
  if (bytes.length > NET_LIMITS.presenceBytesMax) return undefined;
  let o: unknown;
  try {
    o = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
  if (typeof o !== 'object' || o === null) return undefined;
  const r = o as Record<string, unknown>;
  if (r.v !== 1 || typeof r.peerId !== 'string' || typeof r.nodeId !== 'string' || typeof r.name !== 'string') return undefined;
  if (typeof r.signature !== 'string' || typeof r.sentAtMs !== 'number') return undefined;
  if (typeof r.incarnation !== 'string' || r.incarnation.length === 0 || r.incarnation.length > 64) return undefined;
  if (!Array.isArray(r.multiaddrs) || r.multiaddrs.length > 16 || !r.multiaddrs.every((m) => typeof m === 'string')) return undefined;
  if (r.peerId !== from || r.name.length > 64) return undefined;
  const binding: NodeBinding = { nodeId: r.nodeId, peerId: r.peerId, signature: r.signature };
  if (!verifyBinding(binding)) return undefined;
  return { v: 1, peerId: r.peerId, nodeId: r.nodeId, name: r.name, multiaddrs: r.multiaddrs as string[], signature: r.signature, sentAtMs: r.sentAtMs, incarnation: r.incarnation };
}
