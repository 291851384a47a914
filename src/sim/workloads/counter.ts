import { hname, type Address } from '../../protocol';
import type { WaspNode } from '../../node/node';
import { buildRequestTx } from '../../chain/deploy';
import { decU64 } from '../../vm/dict';
import type { SimEngine } from '../engine';
import { InvariantViolation, type Invariants } from '../invariants';
import { postContractDeploy } from './contracts';

/** Deploys the wasm counter (blob + root.deployContract through the node API), posts increments, checks the view. */
export async function counterWorkload(e: SimEngine, inv: Invariants): Promise<void> {
  const wasm = e.cfg.counterWasm;
  if (!wasm) throw new Error("sim: the 'counter' workload needs cfg.counterWasm (contracts/build/counter.wasm)");
  const chain = e.chainAddress as Address;
  const node = e.honest()[0]?.node as WaspNode;
  await postContractDeploy(e, node, chain, 'counter', wasm, 'deployContract failed');
  // Increments posted before the deployment is processed could land in an earlier batch position: wait.
  await e.until(() => inv.allHonestProcessed(), e.cfg.maxTimeMs ?? 60_000, 'counter contract deployed');
  const interval = e.cfg.requestIntervalMs ?? 5;
  for (let i = 0; i < e.cfg.requests; i++) {
    const tx = e.meter.time('client', () => buildRequestTx(e.wallet, e.walletFunds(), [{ target: { chainId: chain, hname: hname('counter') }, entryPoint: hname('increment') }]));
    const txId = e.submit(tx, `increment request ${i}`);
    e.post({ txId, index: 0 }, chain);
    await e.advance(interval);
  }
  await e.until(() => inv.allHonestProcessed() && inv.quiescent(), e.cfg.maxTimeMs ?? 120_000, 'every increment processed');
  for (const s of e.honest()) {
    const v = s.node?.callView(chain, 'counter', 'getCounter').get('counter');
    const counter = v ? decU64(v) : -1n;
    if (counter !== BigInt(e.cfg.requests)) throw new InvariantViolation(`counter view on node ${s.index} is ${counter}, ${e.cfg.requests} increments were posted`);
  }
  inv.checkAccounts();
}
