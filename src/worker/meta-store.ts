import type { Rng } from '../protocol/rng';
import type { NodeDatabase } from '../store/idb-store';

/**
 * The runtime's own small records beside the node's store: the tab wallet's seed and the descriptions typed when
 * creating chains (the bootup record has no room for them). A port, so the runtime can be tested without IndexedDB.
 */
export interface MetaStore {
  walletSeed(): Promise<Uint8Array | undefined>;
  putWalletSeed(seed: Uint8Array): Promise<void>;
  /** `chainKey` is the chain's addressKey. */
  description(chainKey: string): Promise<string | undefined>;
  putDescription(chainKey: string, description: string): Promise<void>;
}

/** The `meta` object store of the node's IndexedDB (keys unchanged from before the port: existing tabs keep their wallet). */
export function idbMetaStore(db: NodeDatabase): MetaStore {
  return {
    walletSeed: async () => asBytes(await db.get('meta', 'walletSeed')),
    putWalletSeed: async (seed) => void (await db.put('meta', seed, 'walletSeed')),
    description: async (chainKey) => {
      const v = await db.get('meta', `description/${chainKey}`);
      return typeof v === 'string' ? v : undefined;
    },
    putDescription: async (chainKey, description) => void (await db.put('meta', description, `description/${chainKey}`)),
  };
}

/** The tab's wallet: one seed per node name, made on first start and kept (funds stay across reloads). */
export async function loadOrCreateWalletSeed(meta: MetaStore, rng: Rng): Promise<Uint8Array> {
  const existing = await meta.walletSeed();
  if (existing) return existing;
  const seed = rng.bytes(32);
  await meta.putWalletSeed(seed);
  return seed;
}

function asBytes(v: unknown): Uint8Array | undefined {
  return v instanceof Uint8Array ? v : undefined;
}
