import { ed25519 } from '@noble/curves/ed25519.js';
import type { NodeIdentity, Registry } from '../state/store';
import type { Rng } from '../protocol/rng';

/** Loads the node's ed25519 identity from the registry, or creates and stores one (first start of this name). */
export async function loadOrCreateIdentity(registry: Registry, rng: Rng): Promise<NodeIdentity> {
  const existing = await registry.getNodeIdentity();
  if (existing) return existing;
  const secretKey = rng.bytes(32);
  const identity: NodeIdentity = { secretKey, publicKey: ed25519.getPublicKey(secretKey) };
  await registry.putNodeIdentity(identity);
  return identity;
}
