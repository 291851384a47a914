import { addressBytes, argsOf, balancesOf, COLOR_IOTA, colorKey, hname, utf8, type Address } from '../../protocol';
import type { WaspNode } from '../../node/node';
import { buildRequestTx } from '../../chain/deploy';
import { accountBalances } from '../../vm/core/ledger';
import { encU64 } from '../../vm/dict';
import type { SimEngine } from '../engine';
import type { Invariants } from '../invariants';
import { postContractDeploy } from './contracts';

/** IOTA each vault stashes on the other chain (and recalls). */
const STASH = 10n;

/**
 * withdrawToChain both ways through real nodes (part of the crossChain workload): the vault on chain X (X = 0, 1)
 * stashes STASH IOTA in its account on the other chain Y, then recalls them. Each honest node must show the
 * vault's account on Y going to STASH and back to 0, and the vault's account on X ending at STASH (everything
 * else it was sent paid tokens).
 */
export async function vaultRounds(e: SimEngine, inv: Invariants, node: WaspNode, wasm: Uint8Array): Promise<void> {
  const x0 = e.chains[0] as { address: Address };
  const x1 = e.chains[1] as { address: Address };
  for (const c of [x0, x1]) await postContractDeploy(e, node, c.address, 'vault', wasm, 'deploying the vault failed');
  await e.until(() => inv.allHonestProcessed(), e.cfg.maxTimeMs ?? 60_000, 'vault deployed');
  const iotasOf = (chain: Address, owner: Address): bigint[] =>
    e.honest().map((s) => {
      const st = s.node?.solidState(chain);
      return st ? (accountBalances(st, { chainId: owner, hname: hname('vault') }).get(colorKey(COLOR_IOTA)) ?? 0n) : -1n;
    });
  const all = (v: bigint[], want: bigint): boolean => v.every((x) => x === want);
  const call = async (chain: Address, entry: 'stash' | 'recall', other: Address, iotas: bigint): Promise<void> => {
    const tx = buildRequestTx(e.wallet, e.walletFunds(), [{ target: { chainId: chain, hname: hname('vault') }, entryPoint: hname(entry), transfer: balancesOf([[COLOR_IOTA, iotas]]), args: argsOf([[utf8('chain'), addressBytes(other)], [utf8('n'), encU64(STASH)]]) }]);
    const txId = e.submit(tx, `vault.${entry}`);
    e.post({ txId, index: 0 }, chain);
  };
  for (const [home, away] of [[x0.address, x1.address], [x1.address, x0.address]] as const) {
    await call(home, 'stash', away, STASH + 1n);
    await e.until(() => inv.allHonestProcessed() && all(iotasOf(away, home), STASH) && inv.quiescent(), e.cfg.maxTimeMs ?? 60_000, 'vault.stash: the IOTA in its account on the other chain');
    await call(home, 'recall', away, 2n);
    await e.until(() => inv.allHonestProcessed() && all(iotasOf(away, home), 0n) && all(iotasOf(home, home), STASH) && inv.quiescent(), e.cfg.maxTimeMs ?? 60_000, 'vault.recall: withdrawToChain sent them home');
    e.tally.vaultRoundTrips++;
  }
}
