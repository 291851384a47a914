import { addressBytes, argsOf, balancesOf, COLOR_IOTA, hname, utf8, type Address } from '../../protocol';
import type { WaspNode } from '../../node/node';
import { buildRequestTx, buildTransferTx } from '../../chain/deploy';
import { decU64, encU64 } from '../../vm/dict';
import type { SimEngine } from '../engine';
import { InvariantViolation, type Invariants } from '../invariants';
import { postContractDeploy } from './contracts';
import { sweepStrays } from './strays';
import { vaultRounds } from './vault';

/**
 * Contracts posting requests (spec "Cross-chain requests"): the counter on every chain, then wallet requests
 * to counter.incrementOn — to the next chain, to the next chain which answers back, or to the contract's own
 * chain. Holds when every counter shows exactly the increments aimed at it (each cross-chain request processed
 * exactly once), all chains keep producing blocks, each chain's accounts add up to its chain output and the
 * total supply on L1 is unchanged.
 */
export async function crossChainWorkload(e: SimEngine, inv: Invariants): Promise<void> {
  const wasm = e.cfg.counterWasm;
  if (!wasm) throw new Error("sim: the 'crossChain' workload needs cfg.counterWasm (contracts/build/counter.wasm)");
  // The API node: an honest member no scheduled crash takes down.
  const crashing = new Set((e.cfg.crashes ?? []).map((c) => c.index));
  const node = (e.honest().find((s) => s.node && !crashing.has(s.index)) ?? e.honest()[0])?.node as WaspNode;
  for (const c of e.chains) await postContractDeploy(e, node, c.address, 'counter', wasm, 'deployContract failed');
  await e.until(() => inv.allHonestProcessed(), e.cfg.maxTimeMs ?? 60_000, 'counter deployed on every chain');
  const k = e.chains.length;
  const expected = e.chains.map(() => 0n);
  let crossPosted = 0;
  const interval = e.cfg.requestIntervalMs ?? 5;
  for (let i = 0; i < e.cfg.requests; i++) {
    const src = i % k;
    const kind = i % 3; // 0: to the next chain; 1: to the next chain, which answers back; 2: to the own chain
    const dst = kind === 2 ? src : (src + 1) % k;
    const n = BigInt(1 + (i % 7));
    const args: [string, Uint8Array][] = [['chain', addressBytes((e.chains[dst] as { address: Address }).address)], ['n', encU64(n)]];
    if (kind === 1) args.push(['back', addressBytes((e.chains[src] as { address: Address }).address)]);
    expected[kind === 1 ? src : dst] = (expected[kind === 1 ? src : dst] as bigint) + n;
    crossPosted += kind === 1 ? 2 : 1;
    const src0 = (e.chains[src] as { address: Address }).address;
    const tx = e.meter.time('client', () =>
      buildRequestTx(e.wallet, e.walletFunds(), [{ target: { chainId: src0, hname: hname('counter') }, entryPoint: hname('incrementOn'), transfer: balancesOf([[COLOR_IOTA, 2n]]), args: argsOf(args.map(([a, b]) => [utf8(a), b] as const)) }]),
    );
    const txId = e.submit(tx, `incrementOn request ${i}`);
    e.post({ txId, index: 0 }, src0);
    // Every fourth time, tokens sent to the chain without a request: a stray its anchors must sweep.
    if (i % 4 === 3) e.submit(buildTransferTx(e.wallet, e.walletFunds(), src0, balancesOf([[COLOR_IOTA, 3n]])), `3 IOTA without a request to chain ${src}`);
    await e.advance(interval);
  }
  const counters = (): bigint[][] =>
    e.honest().map((s) => e.chains.map((c) => {
      const v = s.node?.solidState(c.address) ? s.node.callView(c.address, 'counter', 'getCounter').get('counter') : undefined;
      return v ? decU64(v) : -1n;
    }));
  const reached = (): boolean => {
    const all = counters();
    for (const row of all) row.forEach((v, c) => {
      if (v > (expected[c] as bigint)) throw new InvariantViolation(`counter on chain ${c} is ${v} > the ${expected[c]} aimed at it: a cross-chain request was processed twice`);
    });
    return all.every((row) => row.every((v, c) => v === expected[c]));
  };
  await e.until(() => inv.allHonestProcessed() && reached() && inv.quiescent(), e.cfg.maxTimeMs ?? 120_000, 'every cross-chain increment processed');
  e.tally.crossChainProcessed = crossPosted;
  if (e.cfg.vaultWasm && e.chains.length >= 2) await vaultRounds(e, inv, node, e.cfg.vaultWasm);
  await sweepStrays(e, inv);
  inv.checkAccounts();
  inv.checkSupply();
}
