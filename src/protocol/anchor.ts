import { ValidationError } from './errors';
import { toHex } from './bytes';
import { addBalances, balancesOf, subBalances, type Balances } from './balances';
import { addressKey, COLOR_IOTA, COLOR_MINT, colorKey, type Address, type Color, type OutputID, type RequestID } from './ids';
import { encodeSCPayload, type RequestSection } from './payload';
import type { Essence, Output } from './transaction';
import { LIMITS } from './limits';
import type { AddressOutput } from './outputs';

/**
 * The chain's L1 accounting: what an anchor transaction consumes and pays. ONE implementation, used by the
 * consensus operator (real nodes) and by Solo, so a contract test cannot pass on rules the committee does not
 * follow (docs/decisions/vm-request-semantics.md "Request tokens").
 */

/** IOTAs it costs to post a request: one is recoloured into the request token (spec "Request token"). */
export const REQUEST_TOKEN_IOTA = 1n;

/** A processed request, as the anchor builder needs it. */
export interface AnchorRequest {
  readonly id: RequestID;
  readonly section: RequestSection;
  /** Where the request token goes back uncoloured: the address that signed the request transaction. */
  readonly senderAddress: Address;
  /** Booked balances of the request transaction's output to the chain address (consumed whole). */
  readonly utxoBalances: Balances;
  /** Request sections of that transaction targeting this chain (= its request tokens here). */
  readonly requestsInTx: number;
}

/** The UTXO holding the chain token. */
export type AnchorChainUtxo = AddressOutput;

/**
 * An output in the chain address that holds no request for this chain and is not the chain UTXO: tokens sent
 * without a request, request tokens another chain sent back uncoloured, a request transaction that breaks the
 * rules. The anchor that sweeps it consumes it; the VM credits its tokens to the chain owner.
 */
export type AnchorStray = AddressOutput;

/** An L1 payment the VM asked for (COLOR_MINT amounts mint the anchor's colour). */
export interface AnchorWithdrawal {
  readonly address: Address;
  readonly balances: Balances;
}

export interface AnchorSpec {
  readonly chainAddress: Address;
  readonly chainColor: Color;
  /** The chain-token UTXO the new anchor consumes (output of the previous anchor in the chain address). */
  readonly chainUtxo: AnchorChainUtxo;
  /** The batch, in batch order; every request of a request transaction is in it (its UTXO is consumed whole). */
  readonly requests: readonly AnchorRequest[];
  readonly blockIndex: number;
  readonly timestamp: bigint;
  readonly stateHash: Uint8Array;
  readonly withdrawals: readonly AnchorWithdrawal[];
  readonly outgoingRequests: readonly RequestSection[];
  /** Stray outputs this anchor sweeps (consumed; their tokens stay with the chain, credited to the owner). */
  readonly strays?: readonly AnchorStray[];
}

/**
 * Requests whose tokens sit in the chain-token UTXO itself: requests a contract posted to its own chain (the
 * anchor that carries them pays them to the chain address, where they merge with the chain output) and
 * requests in the origin transaction (spec "Fetching the backlog", step 4's exception). The next anchor consumes
 * that UTXO whatever it processes, so these requests must all be in the next batch.
 */
export const inChainUtxo = (r: AnchorRequest, chainUtxo: AnchorChainUtxo): boolean => toHex(r.id.txId) === toHex(chainUtxo.txId);

/** Request tokens in the chain-token UTXO: tokens of its own transaction's colour, the chain token excluded. */
export function chainUtxoRequestTokens(chainUtxo: AnchorChainUtxo, chainColor: Color): bigint {
  const own = toHex(chainUtxo.txId);
  const n = chainUtxo.balances.get(own) ?? 0n;
  return own === colorKey(chainColor) ? (n > 0n ? n - 1n : 0n) : n;
}

/** Null when the batch processes every request in the chain UTXO (it must: the anchor consumes that UTXO). */
export function chainUtxoRequestsMissing(chainUtxo: AnchorChainUtxo, chainColor: Color, batch: readonly AnchorRequest[]): string | null {
  const want = chainUtxoRequestTokens(chainUtxo, chainColor);
  const have = BigInt(batch.filter((r) => inChainUtxo(r, chainUtxo)).length);
  return want === have ? null : `the batch has ${have} of the ${want} request(s) in the chain UTXO (the anchor consumes it: all must be processed)`;
}

/**
 * What the VM gets as `chainBalances`: the chain UTXO without the chain token and without what the batch's
 * requests sitting in it claim (the VM credits each request's transfer itself, and what is left beyond the
 * accounts' total to the chain owner). Throws ValidationError('anchor', …) when it does not hold that.
 */
export function vmChainBalances(chainUtxo: AnchorChainUtxo, chainColor: Color, batch: readonly AnchorRequest[], strays: readonly AnchorStray[] = []): Balances {
  const ck = colorKey(chainColor);
  // Swept strays join the chain's funds: beyond the accounts' total, so the VM credits them to the owner.
  const b: Balances = strays.reduce((sum, s) => addBalances(sum, s.balances), new Map([...chainUtxo.balances].filter(([k]) => k !== ck)) as Balances);
  const mine = batch.filter((r) => inChainUtxo(r, chainUtxo));
  if (mine.length === 0) return b;
  const tokens = toHex(chainUtxo.txId) === ck ? new Map() : balancesOf([[chainUtxo.txId, BigInt(mine.length)]]);
  const left = subBalances(b, mine.reduce((sum, r) => addBalances(sum, r.section.transfer), tokens as Balances));
  if (!left) throw new ValidationError('anchor', 'the chain UTXO does not hold the transfers and tokens of the requests in it');
  return left;
}

/**
 * Per request of the batch: on the first request of each request transaction (other than the chain UTXO's),
 * the tokens of its UTXO that none of its requests claims — e.g. request tokens another chain sent back
 * uncoloured in the output carrying its requests to us. The VM credits them to the chain owner with that
 * request, so they move with the transaction (a deferred transaction takes them along). Undefined elsewhere.
 */
export function requestUtxoSurplus(chainUtxo: AnchorChainUtxo, batch: readonly AnchorRequest[]): (Balances | undefined)[] {
  const out: (Balances | undefined)[] = batch.map(() => undefined);
  const utxoKey = toHex(chainUtxo.txId);
  const first = new Map<string, number>();
  const claimed = new Map<string, Balances>();
  batch.forEach((r, i) => {
    const k = toHex(r.id.txId);
    if (k === utxoKey) return;
    if (!first.has(k)) first.set(k, i);
    claimed.set(k, addBalances(claimed.get(k) ?? balancesOf([[r.id.txId, BigInt(r.requestsInTx)]]), r.section.transfer));
  });
  for (const [k, i] of first) {
    const extra = subBalances((batch[i] as AnchorRequest).utxoBalances, claimed.get(k) as Balances);
    if (!extra) throw new ValidationError('anchor', 'a request UTXO does not hold the transfers and tokens of its requests');
    if (extra.size > 0) out[i] = extra;
  }
  return out;
}

/** Bounds on one anchor transaction's inputs (every member and Solo apply the same ones). */
export const ANCHOR_LIMITS = {
  /** Request transactions plus swept strays: each adds one input, and the chain UTXO is one more. */
  requestTxsMax: LIMITS.inputsMax - 1,
  /**
   * Strays one anchor sweeps. Small: they ride along with a batch of requests, and a few per block clears any
   * realistic arrival rate of tokens sent without a request.
   */
  straysMax: 16,
} as const;

/**
 * The strays an anchor of this batch sweeps: the first ones by tx ID (`strays` sorted that way), at most
 * ANCHOR_LIMITS.straysMax, within the inputs the batch's request transactions leave. Used by the leader and by
 * Solo alike, so both sweep the same outputs.
 */
export function straysForAnchor<S extends AnchorStray>(strays: readonly S[], chainUtxo: AnchorChainUtxo, batch: readonly AnchorRequest[]): S[] {
  const utxoKey = toHex(chainUtxo.txId);
  const txs = new Set(batch.map((q) => toHex(q.id.txId)).filter((k) => k !== utxoKey)).size;
  const room = Math.min(ANCHOR_LIMITS.straysMax, ANCHOR_LIMITS.requestTxsMax - txs);
  return room > 0 ? strays.slice(0, room) : [];
}

/**
 * Builds the anchor transaction's essence (spec "Anchoring the state", "Removing the request from the backlog").
 * Deterministic: the same spec gives the same bytes on every node (outputs merged per address; essenceBytes
 * sorts inputs and outputs).
 *  - inputs: the chain-token UTXO, each processed request transaction's UTXO in the chain address (once;
 *    requests in the chain UTXO add no input) and the strays it sweeps;
 *  - each request token goes back uncoloured (REQUEST_TOKEN_IOTA) to the request's sender address — for a
 *    request the chain posted to itself that is the chain address, and the VM credits it to the posting contract;
 *  - VM withdrawals go to their addresses; each outgoing request mints its request token (COLOR_MINT) from
 *    REQUEST_TOKEN_IOTA that the VM debited from the posting contract, and carries its transfer;
 *  - everything else, with the chain token, goes back to the chain address.
 * Throws ValidationError('anchor', …) when the outputs need more than the inputs hold.
 */
export function buildAnchorEssence(spec: AnchorSpec): Essence {
  const chainKey = colorKey(spec.chainColor);
  if ((spec.chainUtxo.balances.get(chainKey) ?? 0n) < 1n) throw new ValidationError('anchor', 'chain UTXO does not hold the chain token');
  const missing = chainUtxoRequestsMissing(spec.chainUtxo, spec.chainColor, spec.requests);
  if (missing) throw new ValidationError('anchor', missing);
  const inputs: OutputID[] = [{ txId: spec.chainUtxo.txId, address: spec.chainAddress }];
  let pool: Balances = spec.chainUtxo.balances;
  for (const s of spec.strays ?? []) {
    inputs.push({ txId: s.txId, address: spec.chainAddress });
    pool = addBalances(pool, s.balances);
  }
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

  const utxoKey = toHex(spec.chainUtxo.txId);
  const seenTx = new Set<string>();
  for (const r of spec.requests) {
    const k = toHex(r.id.txId);
    if (seenTx.has(k)) continue;
    seenTx.add(k);
    if (k !== utxoKey) {
      inputs.push({ txId: r.id.txId, address: spec.chainAddress });
      pool = addBalances(pool, r.utxoBalances);
    }
    take(balancesOf([[r.id.txId, BigInt(r.requestsInTx)]]), 'the request tokens');
    pay(r.senderAddress, balancesOf([[COLOR_IOTA, BigInt(r.requestsInTx) * REQUEST_TOKEN_IOTA]]));
  }
  for (const w of spec.withdrawals) {
    // A MINT amount is paid with as many IOTAs: L1 recolours them into the anchor's colour.
    take(mintPaidInIota(w.balances), `a withdrawal to ${addressKey(w.address).slice(0, 10)}`);
    pay(w.address, w.balances);
  }
  for (const q of spec.outgoingRequests) {
    take(addBalances(q.transfer, balancesOf([[COLOR_IOTA, REQUEST_TOKEN_IOTA]])), 'an outgoing request');
    pay(q.targetContractID.chainId, addBalances(q.transfer, balancesOf([[COLOR_MINT, 1n]])));
  }
  if ((pool.get(chainKey) ?? 0n) !== 1n) throw new ValidationError('anchor', 'the new chain output would not hold exactly one chain token');
  pay(spec.chainAddress, pool);

  const outputs: Output[] = [...outs.values()].map((o) => ({ address: o.address, balances: o.balances }));
  const dataPayload = encodeSCPayload({
    state: { chainColor: spec.chainColor, blockIndex: spec.blockIndex, timestamp: spec.timestamp, stateHash: spec.stateHash },
    requests: spec.outgoingRequests,
  });
  return { inputs, outputs, dataPayload };
}

function mintPaidInIota(b: Balances): Balances {
  const mint = b.get(colorKey(COLOR_MINT));
  if (mint === undefined) return b;
  const rest = new Map([...b].filter(([k]) => k !== colorKey(COLOR_MINT)));
  return addBalances(rest, balancesOf([[COLOR_IOTA, mint]]));
}

