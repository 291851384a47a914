import { AddressKind, balancesOf, blake2b256, COLOR_IOTA, compareRequestIDs, hname, transactionId, type Address, type Balances, type RequestID, type TransactionID, type ValueTransaction } from '../../protocol';
import { ed25519KeyPairFromSeed } from '../../crypto/ed25519';
import { buildRequestTx } from '../../chain/deploy';
import { syntheticChain } from '../../state/manager.fixture';
import { VirtualState } from '../../state/vstate';
import { assert } from '../assert';
import { Backlog, bookedOutputBalances } from '../backlog';
import type { ComputationContextMsg } from '../messages';
import type { OperatorBase } from '../round';
import type { ThresholdSigner } from '../signer';
import type { StepView } from './view';

/** The chain address's output of `tx` (every fixture transaction has one). */
function booked(tx: ValueTransaction, txId: TransactionID, address: Address): Balances {
  const b = bookedOutputBalances(tx, txId, address);
  assert(b, 'the fixture transaction pays the chain address');
  return b;
}

/** Step tests run on the clock of the operator tests. */
export const NOW = 1_700_000_000_000;

const sig48 = (...parts: Uint8Array[]): Uint8Array => {
  const h = blake2b256(...parts);
  return Uint8Array.of(...h, ...h.slice(0, 16));
};

/**
 * A cheap deterministic signer (the steps, not BLS, are under test): a partial is a hash of the message, and a
 * member listed in `badPartials` signs garbage, which `verifyPartial` and the combined signature then reveal.
 */
export function fakeSigner(index: number, badPartials: ReadonlySet<number> = new Set()): ThresholdSigner {
  const partialOf = (i: number, m: Uint8Array): Uint8Array => (badPartials.has(i) ? sig48(Uint8Array.of(0xba, i), m) : sig48(m));
  return {
    n: 4,
    t: 3,
    index,
    masterPublicKey: new Uint8Array(96).fill(7),
    partialSign: (m) => partialOf(index, m),
    verifyPartial: (i, m, p) => Buffer.compare(Buffer.from(p), Buffer.from(sig48(m))) === 0,
    combine: (ps) => sig48(...ps.map((p) => p.signature)),
    // Valid when every combined partial was the honest one: the combination of T honest partials of m.
    verifyMaster: (m, s) => Buffer.compare(Buffer.from(s), Buffer.from(sig48(...Array.from({ length: 3 }, () => sig48(m))))) === 0,
  };
}

/**
 * The origin state of a synthetic chain with `requests` one-request transactions in the backlog (loaded unless
 * loadRequests is false) and optional strays: what a step sees on a node that heard of all of them.
 */
export function stepsFixture(opts: { requests?: number; loadRequests?: boolean; strays?: readonly { txId: TransactionID; balances: Balances }[] } = {}) {
  const chain = syntheticChain(0);
  const origin = chain.anchors[0];
  if (!origin) throw new Error('syntheticChain(0) has an origin anchor');
  const wallet = ed25519KeyPairFromSeed(new Uint8Array(32).fill(3));
  const txs = Array.from({ length: opts.requests ?? 1 }, (_, i) =>
    buildRequestTx(wallet, [{ id: { txId: new Uint8Array(32).fill(4 + i), address: wallet.address }, balances: balancesOf([[COLOR_IOTA, 100n]]) }], [
      { target: { chainId: chain.chainAddress, hname: hname('accounts') }, entryPoint: hname('deposit') },
    ]),
  );
  const sent = txs.map((tx) => ({ tx, txId: transactionId(tx) }));
  const ids = sent.map((x) => x.txId);
  const backlog = new Backlog(chain.chainAddress, chain.chainColor, 1_000);
  backlog.setOutputs([...sent.map(({ tx, txId }) => ({ txId, balances: booked(tx, txId, chain.chainAddress) })), ...(opts.strays ?? [])]);
  if (opts.loadRequests !== false) for (const { tx, txId } of sent) backlog.onTransaction(tx, txId);
  const base: OperatorBase = { state: VirtualState.origin(), anchorTx: origin.tx, anchorTxId: origin.txId, chainUtxo: { txId: origin.txId, balances: booked(origin.tx, origin.txId, chain.chainAddress) } };
  const processed = new Set<string>();
  const view: StepView = {
    base,
    chainAddress: chain.chainAddress,
    chainColor: chain.chainColor,
    backlog,
    isRequestProcessed: (_state, id) => processed.has(Buffer.from(id.txId).toString('hex')),
    batchMax: 256,
    toleranceMs: 1_000,
  };
  const requestIds: RequestID[] = ids.map((txId) => ({ txId, index: 0 })).sort(compareRequestIDs);
  const ctx = (over: Partial<ComputationContextMsg> = {}): ComputationContextMsg => ({
    kind: 'computationContext',
    round: { anchorTxId: origin.txId, blockIndex: 0, leaderPos: 0 },
    timestamp: BigInt(NOW) * 1_000_000n,
    rewardAddress: { kind: AddressKind.Ed25519, digest: new Uint8Array(32) },
    requestIds,
    ...over,
  });
  /** Marks a request transaction processed in the state (as the VM's record would). */
  const markProcessed = (txId: TransactionID): void => void processed.add(Buffer.from(txId).toString('hex'));
  return { chain, origin, base, backlog, view, txs, requestIds, ctx, markProcessed };
}
