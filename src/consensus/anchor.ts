import {
  addBalances,
  addressKey,
  balancesOf,
  COLOR_IOTA,
  COLOR_MINT,
  colorKey,
  encodeSCPayload,
  subBalances,
  toHex,
  ValidationError,
  type Address,
  type Balances,
  type Color,
  type Essence,
  type Output,
  type OutputID,
  type RequestSection,
  type TransactionID,
} from '../protocol';
import type { BacklogRequest, ChainUtxo } from './backlog';
import type { VmWithdrawal } from './vm-port';

export interface AnchorSpec {
  readonly chainAddress: Address;
  readonly chainColor: Color;
  /** The chain-token UTXO the new anchor consumes (output of the previous anchor in the chain address). */
  readonly chainUtxo: ChainUtxo;
  /** The batch, in batch order; every request of a request transaction is in it (its UTXO is consumed whole). */
  readonly requests: readonly BacklogRequest[];
  /** The new state section. */
  readonly blockIndex: number;
  readonly timestamp: bigint;
  readonly stateHash: Uint8Array;
  readonly withdrawals: readonly VmWithdrawal[];
  readonly outgoingRequests: readonly RequestSection[];
}

/**
 * Builds the anchor transaction's essence (spec "Anchoring the state", "Removing the request from the backlog").
 * Deterministic: the same spec gives the same bytes on every node (outputs merged per address; essenceBytes
 * sorts inputs and outputs).
 *  - inputs: the chain-token UTXO and each processed request transaction's UTXO in the chain address;
 *  - each request token goes back uncolored (as IOTA) to the request's sender address;
 *  - VM withdrawals go to their addresses; each outgoing request mints 1 token (COLOR_MINT) + its transfer
 *    to its target chain address, the minted token paid with 1 IOTA of the chain's funds;
 *  - everything else, with the chain token, goes back to the chain address.
 * Throws ValidationError('anchor', …) when the outputs need more than the inputs hold.
 */
export function buildAnchorEssence(spec: AnchorSpec): Essence {
  const chainKey = colorKey(spec.chainColor);
  if ((spec.chainUtxo.balances.get(chainKey) ?? 0n) !== 1n) throw new ValidationError('anchor', 'chain UTXO does not hold exactly one chain token');
  const inputs: OutputID[] = [{ txId: spec.chainUtxo.txId, address: spec.chainAddress }];
  let pool: Balances = spec.chainUtxo.balances;
  const outs = new Map<string, { address: Address; balances: Balances }>();
  const pay = (address: Address, b: Balances): void => {
    const k = addressKey(address);
    const prev = outs.get(k);
    outs.set(k, { address, balances: prev ? addBalances(prev.balances, b) : b });
  };
  const take = (b: Balances, what: string): void => {
    const left = subBalances(pool, b);
    if (!left) throw new ValidationError('anchor', `chain funds do not cover ${what}`);
    pool = left;
  };

  const seenTx = new Set<string>();
  for (const r of spec.requests) {
    const k = toHex(r.id.txId);
    if (seenTx.has(k)) continue;
    seenTx.add(k);
    inputs.push({ txId: r.id.txId, address: spec.chainAddress });
    pool = addBalances(pool, r.utxoBalances);
    const token = balancesOf([[r.id.txId as TransactionID, BigInt(r.requestsInTx)]]);
    take(token, 'the request tokens');
    pay(r.senderAddress, balancesOf([[COLOR_IOTA, BigInt(r.requestsInTx)]]));
  }
  for (const w of spec.withdrawals) {
    take(w.balances, `a withdrawal to ${addressKey(w.address).slice(0, 10)}`);
    pay(w.address, w.balances);
  }
  for (const q of spec.outgoingRequests) {
    take(addBalances(q.transfer, balancesOf([[COLOR_IOTA, 1n]])), 'an outgoing request');
    pay(q.targetContractID.chainId, addBalances(q.transfer, balancesOf([[COLOR_MINT, 1n]])));
  }
  pay(spec.chainAddress, pool);

  const outputs: Output[] = [...outs.values()].map((o) => ({ address: o.address, balances: o.balances }));
  const dataPayload = encodeSCPayload({
    state: { chainColor: spec.chainColor, blockIndex: spec.blockIndex, timestamp: spec.timestamp, stateHash: spec.stateHash },
    requests: spec.outgoingRequests,
  });
  return { inputs, outputs, dataPayload };
}
