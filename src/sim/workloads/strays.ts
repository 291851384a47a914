import { ANCHOR_LIMITS, colorKey, hname } from '../../protocol';
import { buildRequestTx } from '../../chain/deploy';
import type { SimEngine } from '../engine';
import { InvariantViolation, type Invariants } from '../invariants';

/**
 * Strays ride along with requests: while a chain address holds any, one more request to that chain, until none
 * is left. More rounds than the strays need at ANCHOR_LIMITS.straysMax per anchor is a violation (left unspent).
 */
export async function sweepStrays(e: SimEngine, inv: Invariants): Promise<void> {
  for (const c of e.chains) {
    const strays = (): number => e.ledger.getOutputs(c.address).filter((o) => !o.balances.has(colorKey(c.color))).length;
    const before = strays();
    const rounds = Math.ceil(before / ANCHOR_LIMITS.straysMax) + 1;
    for (let i = 0; i < rounds && strays() > 0; i++) {
      const tx = buildRequestTx(e.wallet, e.walletFunds(), [{ target: { chainId: c.address, hname: hname('accounts') }, entryPoint: hname('deposit') }]);
      const txId = e.submit(tx, 'a deposit that sweeps strays');
      e.post({ txId, index: 0 }, c.address);
      await e.until(() => inv.allHonestProcessed() && inv.quiescent(), e.cfg.maxTimeMs ?? 60_000, 'the sweeping deposit processed');
    }
    if (strays() > 0) throw new InvariantViolation(`${strays()} stray output(s) left in a chain address after ${rounds} sweeping requests: nobody spends them`);
    e.tally.straysSwept += before;
  }
}
