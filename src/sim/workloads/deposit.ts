import { balancesOf, COLOR_IOTA, hname, type Address, type RequestID } from '../../protocol';
import { buildRequestTx } from '../../chain/deploy';
import { H, EP } from '../../vm/core/names';
import type { SimEngine } from '../engine';
import type { Invariants } from '../invariants';

/**
 * The default workload: `cfg.requests` accounts.deposit requests, one every `requestIntervalMs`; with
 * `cfg.timelockMs` every other one is time-locked. Holds when all are processed on every honest node, no lock was
 * released early and the accounts add up.
 */
export async function depositWorkload(e: SimEngine, inv: Invariants): Promise<void> {
  const chain = e.chainAddress as Address;
  const interval = e.cfg.requestIntervalMs ?? 5;
  const locks: { id: RequestID; untilMs: number }[] = [];
  for (let i = 0; i < e.cfg.requests; i++) {
    // With cfg.timelockMs every other request is time-locked (whole seconds, spec "Request section") that far ahead.
    const timelock = e.cfg.timelockMs && i % 2 === 1 ? Math.ceil((e.unixMs + e.cfg.timelockMs) / 1000) : 0;
    const tx = e.meter.time('client', () => buildRequestTx(e.wallet, e.walletFunds(), [{ target: { chainId: chain, hname: H.accounts }, entryPoint: hname(EP.accounts.deposit), transfer: balancesOf([[COLOR_IOTA, 10n]]), timelock }]));
    const txId = e.submit(tx, `deposit request ${i}`);
    e.post({ txId, index: 0 }, chain);
    if (timelock) locks.push({ id: { txId, index: 0 }, untilMs: timelock * 1000 });
    await e.advance(interval);
  }
  await e.until(() => inv.allHonestProcessed() && inv.quiescent(), e.cfg.maxTimeMs ?? 120_000, 'every request processed');
  inv.checkTimelocks(locks);
  inv.checkAccounts();
}
