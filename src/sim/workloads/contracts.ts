import type { Address, RequestID } from '../../protocol';
import type { WaspNode } from '../../node/node';
import { LivenessFailure, type SimEngine } from '../engine';

/**
 * Posts a wasm contract's deployment (blob + root.deployContract in one transaction, through the node API) and
 * waits until L1 confirmed it; its two requests join the posted ones (the caller waits for them processed).
 */
export async function postContractDeploy(e: SimEngine, node: WaspNode, chain: Address, name: 'counter' | 'vault', program: Uint8Array, failure: string): Promise<void> {
  let posted: { requestIds: readonly RequestID[] } | null = null;
  let error: unknown = null;
  node.deployContract(e.wallet, chain, { name, program, description: `${name} (sim)` }).then((r) => (posted = r), (err: unknown) => (error = err));
  await e.until(() => posted !== null || error !== null, 30_000, `${name} deploy transaction confirmed`);
  if (error !== null) throw new LivenessFailure(`${failure}: ${error instanceof Error ? error.message : String(error)}`);
  for (const id of (posted as unknown as { requestIds: readonly RequestID[] }).requestIds) e.post(id, chain);
}
