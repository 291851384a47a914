import { DecodeError, ValidationError } from './errors';
import { equalBytes, toHex } from './bytes';
import {
  addressEquals,
  addressKey,
  addressToString,
  agentIDFromAddress,
  COLOR_IOTA,
  COLOR_MINT,
  colorKey,
  type Address,
  type AgentID,
  type Color,
  type RequestID,
  type TransactionID,
} from './ids';
import { HNAME_NIL } from './hname';
import { decodeSCPayload, type RequestSection, type SCPayload } from './payload';
import { transactionId, type ValueTransaction } from './transaction';

/**
 * Semantic validity of SC transactions (spec: "Smart contract transaction payload", "Chain state section",
 * "Request section", "Fetching the backlog", "Origin transaction"). Each broken rule is a ValidationError whose
 * `rule` is one of SC_RULES.
 */
export const SC_RULES = {
  payloadMalformed: 'sc.payloadMalformed',
  payloadEmpty: 'sc.payloadEmpty',
  argsKey: 'sc.argsKey',
  senderAmbiguous: 'sc.senderAmbiguous',
  chainColor: 'sc.chainColor',
  originBlockIndex: 'sc.originBlockIndex',
  chainToken: 'sc.chainToken',
  requestTokens: 'sc.requestTokens',
  transferNotCovered: 'sc.transferNotCovered',
} as const;

export interface SCRequest {
  readonly id: RequestID;
  readonly section: RequestSection;
  /** A wallet request: the input address; a contract's (state section + senderContractHname ≠ 0): (chain address, hname). */
  readonly sender: AgentID;
}

export interface SCTransaction {
  readonly tx: ValueTransaction;
  readonly txId: TransactionID;
  readonly payload: SCPayload;
  /** The one address all inputs come from (the signer). */
  readonly senderAddress: Address;
  /** With a state section: the address holding the chain token. */
  readonly chainAddress?: Address;
  /** With a state section: the chain color (for the origin transaction, its own ID: the minted chain token). */
  readonly chainColor?: Color;
  readonly isOrigin: boolean;
  readonly requests: readonly SCRequest[];
  /** Minted tokens beyond the request tokens (and the origin's chain token); only to non-target addresses. */
  readonly freeMintedTokens: bigint;
}

const MINT = colorKey(COLOR_MINT);

/**
 * Parses a value transaction as an SC transaction. Returns null when its data payload is not an SC payload at all
 * (no ISCP magic: plain data); throws ValidationError when it is one but breaks a rule.
 */
export function parseSCTransaction(tx: ValueTransaction): SCTransaction | null {
  let payload: SCPayload | null;
  try {
    payload = decodeSCPayload(tx.dataPayload);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    if (/neither a state section nor a request section/.test(e.what)) fail('payloadEmpty', e.what);
    fail('payloadMalformed', e.message);
  }
  if (payload === null) return null;
  return validateSCTransaction(tx, payload);
}

/** The rules, over an already decoded payload (which may also have been built in memory). */
export function validateSCTransaction(tx: ValueTransaction, payload: SCPayload): SCTransaction {
  validateSCPayload(payload);
  const txId = transactionId(tx);
  const senderAddress = soleInputAddress(tx);

  // Minted tokens per output address, and request count per target chain address.
  const minted = new Map<string, bigint>();
  let mintedTotal = 0n;
  for (const o of tx.outputs) {
    const m = o.balances.get(MINT) ?? 0n;
    if (m > 0n) minted.set(addressKey(o.address), m);
    mintedTotal += m;
  }
  const requestsTo = new Map<string, { address: Address; count: bigint; transfer: Map<string, bigint> }>();
  for (const r of payload.requests) {
    const a = r.targetContractID.chainId;
    const k = addressKey(a);
    let e = requestsTo.get(k);
    if (!e) requestsTo.set(k, (e = { address: a, count: 0n, transfer: new Map() }));
    e.count++;
    for (const [c, v] of r.transfer) e.transfer.set(c, (e.transfer.get(c) ?? 0n) + v);
  }

  // State section: exactly one output holds the chain token (exactly one token of chainColor).
  let chainAddress: Address | undefined;
  let chainColor: Color | undefined;
  let isOrigin = false;
  const state = payload.state;
  if (state) {
    if (equalBytes(state.chainColor, COLOR_MINT)) fail('chainColor', 'chainColor cannot be the MINT marker');
    isOrigin = equalBytes(state.chainColor, COLOR_IOTA);
    if (isOrigin) {
      // Origin: chain color nil; the chain token is minted here, so the chain address is the one output whose
      // minted count is one more than the requests to it. Free minted tokens are not allowed in an origin, so
      // that address is unambiguous.
      if (state.blockIndex !== 0) fail('originBlockIndex', `origin (nil chain color) must have block index 0, has ${state.blockIndex}`);
      const extra = [...minted].filter(([k, m]) => m - (requestsTo.get(k)?.count ?? 0n) !== 0n);
      const only = extra[0];
      if (extra.length !== 1 || !only || only[1] - (requestsTo.get(only[0])?.count ?? 0n) !== 1n)
        fail('chainToken', `origin must mint exactly one chain token to one address beyond request tokens (found ${extra.length} candidate outputs)`);
      chainAddress = (tx.outputs.find((o) => addressKey(o.address) === only[0]) as { address: Address }).address;
      chainColor = txId;
    } else {
      const key = colorKey(state.chainColor);
      const holders = tx.outputs.filter((o) => o.balances.has(key));
      const holder = holders[0];
      if (holders.length !== 1 || !holder || holder.balances.get(key) !== 1n)
        fail('chainToken', `exactly one output must hold exactly one chain token; ${holders.length} outputs hold chain color tokens`);
      chainAddress = holder.address;
      chainColor = state.chainColor;
    }
  }

  // One request token minted to each target per request to it (+1 at the origin's chain address).
  let expectedMinted = 0n;
  for (const [k, e] of requestsTo) {
    const want = e.count + (isOrigin && chainAddress && addressKey(chainAddress) === k ? 1n : 0n);
    const got = minted.get(k) ?? 0n;
    if (got !== want) fail('requestTokens', `${addressToString(e.address)} is the target of ${e.count} requests and must receive ${want} minted tokens, receives ${got}`);
    expectedMinted += want;
    // What the requests say they transfer must be in the output to their target.
    const out = tx.outputs.find((o) => addressEquals(o.address, e.address));
    for (const [c, v] of e.transfer) {
      const have = out?.balances.get(c) ?? 0n;
      if (have < v) fail('transferNotCovered', `requests to ${addressToString(e.address)} transfer ${v} of color ${c.slice(0, 8)}…, its output holds ${have}`);
    }
  }
  if (isOrigin && chainAddress && !requestsTo.has(addressKey(chainAddress))) expectedMinted += 1n;

  const requests: SCRequest[] = payload.requests.map((section, index) => ({
    id: { txId, index },
    section,
    sender:
      state && chainAddress && section.senderContractHname !== HNAME_NIL
        ? { chainId: chainAddress, hname: section.senderContractHname }
        : agentIDFromAddress(senderAddress),
  }));
  const base = { tx, txId, payload, senderAddress, isOrigin, requests, freeMintedTokens: mintedTotal - expectedMinted };
  return chainAddress && chainColor ? { ...base, chainAddress, chainColor } : base;
}

/** Payload-only rules: at least one section; args keys non-empty and unique (also when built in memory). */
export function validateSCPayload(p: SCPayload): void {
  if (!p.state && p.requests.length === 0) fail('payloadEmpty', 'an SC payload needs a state section or at least one request section');
  for (const [i, r] of p.requests.entries()) {
    const seen = new Set<string>();
    for (const [k] of r.args) {
      if (k.length === 0) fail('argsKey', `request ${i}: empty argument key`);
      const hk = toHex(k);
      if (seen.has(hk)) fail('argsKey', `request ${i}: duplicate argument key`);
      seen.add(hk);
    }
  }
}

function soleInputAddress(tx: ValueTransaction): Address {
  const first = tx.inputs[0];
  if (!first) fail('senderAmbiguous', 'an SC transaction needs an input (its sender)');
  for (const i of tx.inputs) if (!addressEquals(i.address, first.address)) fail('senderAmbiguous', 'inputs come from more than one address');
  return first.address;
}


function fail(rule: keyof typeof SC_RULES, detail: string): never {
  throw new ValidationError(SC_RULES[rule], detail);
}

