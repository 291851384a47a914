import type { SimEngine } from '../engine';
import type { Invariants } from '../invariants';
import { counterWorkload } from './counter';
import { crossChainWorkload } from './cross-chain';
import { depositWorkload } from './deposit';

/** What the wallets do once the chains are up (cfg.workload; 'deposit' by default). */
export async function runWorkload(e: SimEngine, inv: Invariants): Promise<void> {
  if (e.cfg.workload === 'counter') return counterWorkload(e, inv);
  if (e.cfg.workload === 'crossChain') return crossChainWorkload(e, inv);
  return depositWorkload(e, inv);
}
