import { argsOf, hname, txIdToString, utf8, type Address, type RequestID } from '../protocol';
import { blsAddress, trustedDealerKeygen, type KeyShare } from '../crypto/threshold';
import { ed25519KeyPairFromSeed } from '../crypto/ed25519';
import type { BootupRecord } from '../state/store';
import type { DeployChainResult } from '../node/setup';
import { buildOriginTx, buildRequestTx } from '../chain/deploy';
import { isRequestProcessed, readReceipt } from '../vm/core/blocklog';
import { ROOT_VAR, rootKey } from '../vm/core/registry';
import { H, EP, P } from '../vm/core/names';
import { L1_ID, LivenessFailure, STEP_MS, type SimEngine } from './engine';
import { InvariantViolation, type Invariants } from './invariants';

/**
 * Chain deployment before the workload: the wallet is funded, then `cfg.chains` chains on the one committee,
 * through trusted-dealer keys (fast, default) or the real DKG over the simulated peering (`cfg.dkg`). Each ends
 * with block #1 (root init) on every honest node; the virtual and wall time it took goes into the result.
 */
export async function deployChains(e: SimEngine, inv: Invariants): Promise<void> {
  const wall0 = performance.now();
  const virt0 = e.now;
  await e.fundWallet();
  for (let c = 0; c < Math.max(1, e.cfg.chains ?? 1); c++) {
    if (e.cfg.dkg) await deployWithDkg(e, inv);
    else await deployTrustedDealer(e, inv);
  }
  e.tally.deploy = { virtualMs: e.now - virt0, wallMs: performance.now() - wall0, viaDkg: e.cfg.dkg === true };
}

/** Spec "Deployment of the contract chain" through the node API: DKG over the simulated peering, origin, activation, init. */
async function deployWithDkg(e: SimEngine, inv: Invariants): Promise<void> {
  const { n, t } = e.cfg;
  const initiator = e.honest()[0]?.node;
  if (!initiator) throw new Error('sim: no honest node to initiate the deployment');
  let result: DeployChainResult | null = null;
  let error: unknown = null;
  initiator
    .deployChain({ committeeNodeIds: e.slots.map((s) => s.id), t, description: `sim chain seed ${e.cfg.seed}`, initiatorWallet: e.wallet, phaseTimeoutMs: e.cfg.dkgPhaseTimeoutMs ?? 1_000 })
    .then((r) => (result = r), (err: unknown) => (error = err));
  await e.until(() => result !== null || error !== null, e.cfg.maxTimeMs ?? 120_000, 'chain deployed through DKG');
  if (error !== null) throw new LivenessFailure(`deployChain failed: ${error instanceof Error ? error.message : String(error)}`);
  const r = result as unknown as DeployChainResult;
  e.chains.push({ address: r.chainAddress, color: r.chainColor });
  e.record('wallet', L1_ID, 'deploy', `Chain deployed through DKG (QUAL {${r.qual.join(', ')}}), committee of ${n}, quorum ${t}.`);
  e.post(r.initRequestId, r.chainAddress);
  await e.until(() => inv.allHonestProcessed(), e.cfg.maxTimeMs ?? 60_000, 'block #1 (root init)');
}

/** Keys from a trusted dealer, the origin transaction from the sim's wallet, every member activated, root init. */
async function deployTrustedDealer(e: SimEngine, inv: Invariants): Promise<void> {
  const { n, t } = e.cfg;
  const keys = trustedDealerKeygen(n, t, e.rng);
  const chainAddress = blsAddress((keys[0] as KeyShare).masterPublicKey);
  const origin = buildOriginTx(e.wallet, e.walletFunds(), chainAddress, BigInt(e.unixMs) * 1_000_000n);
  const originId = e.submit(origin, 'origin transaction');
  await e.until(() => e.ledger.getConfirmedTransaction(originId) !== undefined, 5_000, 'origin confirmed');
  e.chains.push({ address: chainAddress, color: originId });
  const ids = e.slots.map((s) => s.id);
  for (const s of e.slots) {
    const record: BootupRecord = { chainAddress, chainColor: originId, committeeNodeIds: ids, n, t, myIndex: s.index };
    if (!s.node) throw new Error(`sim: node ${s.index} is crashed while chain ${e.chains.length} is deployed: schedule crashes after the deployment`);
    await s.node.activateChain(record, keys[s.index] as KeyShare);
  }
  e.record('wallet', L1_ID, 'deploy', `Origin transaction ${txIdToString(originId).slice(0, 10)}… minted the chain token; committee of ${n} activated (quorum ${t}).`);
  if (e.cfg.hostileInit) await hostileInit(e, chainAddress, originId);
  const init = buildRequestTx(e.wallet, e.walletFunds(), [
    { target: { chainId: chainAddress, hname: H.root }, entryPoint: hname(EP.init), args: argsOf([[P.chainColor, originId], [P.description, utf8(`sim chain seed ${e.cfg.seed}`)]]) },
  ]);
  const initId = e.submit(init, 'init request');
  e.post({ txId: initId, index: 0 }, chainAddress);
  await e.until(() => inv.allHonestProcessed(), e.cfg.maxTimeMs ?? 60_000, 'block #1 (root init)');
}

/** Someone else than the originator sends root init first: it must be refused and change nothing. */
async function hostileInit(e: SimEngine, chain: Address, originId: Uint8Array): Promise<void> {
  const intruder = ed25519KeyPairFromSeed(e.rng.bytes(32));
  e.submit(e.faucet.request(intruder.address), 'faucet (intruder)');
  await e.advance(e.ledger.confirmDelayMs + STEP_MS);
  const funds = e.ledger.getUnspentOutputs(intruder.address).map((o) => ({ id: o.id, balances: o.balances }));
  const tx = buildRequestTx(intruder, funds, [{ target: { chainId: chain, hname: H.root }, entryPoint: hname(EP.init), args: argsOf([[P.chainColor, originId], [P.description, utf8('hijacked')]]) }]);
  const id: RequestID = { txId: e.submit(tx, 'init request from an intruder'), index: 0 };
  await e.until(() => e.honest().every((s) => { const st = s.node?.solidState(chain); return st !== null && st !== undefined && isRequestProcessed(st, id); }), 30_000, 'intruder init processed');
  for (const s of e.honest()) {
    const st = s.node?.solidState(chain);
    const rc = st ? readReceipt(st, id) : undefined;
    if (!rc || rc.ok || rc.error?.kind !== 'Unauthorized') throw new InvariantViolation(`node ${s.index}: init from an intruder was not refused (receipt ${rc ? (rc.ok ? 'ok' : rc.error?.kind) : 'none'})`);
    if (st?.get(rootKey(ROOT_VAR.initialized))) throw new InvariantViolation(`node ${s.index}: the intruder's init initialized the chain`);
  }
  e.tally.hostileInitRefused = true;
}
