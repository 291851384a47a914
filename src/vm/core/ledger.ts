import {
  agentIDBytes,
  agentIDFromBytes,
  balancesOf,
  COLOR_SIZE,
  concatBytes,
  fromHex,
  sortedEntries,
  toHex,
  U64_MAX,
  utf8,
  type AgentID,
  type Balances,
} from '../../protocol';
import type { StateReader } from '../../state/types';
import type { VirtualStateBuffer } from '../../state/vstate';
import { decU64, encU64 } from '../dict';
import { VMError } from '../errors';
import { partitionKey, partitionKeyOf } from '../partition';
import { H } from './names';

/**
 * The on-chain account ledger, kept in the `accounts` partition. Only the VM itself and the accounts contract
 * use these functions (contracts move funds through the sandbox, which checks ownership).
 *   'a' ‖ agentID(37) ‖ color(32) → u64 LE   one account's balance of one color
 *   't' ‖ color(32)               → u64 LE   total assets of the chain per color
 * Invariant: for every color, total = Σ accounts = chain UTXO balance (excluding the chain token).
 */
const ACCOUNT = utf8('a');
const TOTAL = utf8('t');
const AGENT_ID_SIZE = 37;

const accountKey = (a: AgentID, color: Uint8Array) => partitionKeyOf(H.accounts, ACCOUNT, agentIDBytes(a), color);
const totalKey = (color: Uint8Array) => partitionKeyOf(H.accounts, TOTAL, color);

function readAmount(st: StateReader, key: Uint8Array): bigint {
  const v = st.get(key);
  return v === undefined ? 0n : decU64(v);
}
function writeAmount(st: VirtualStateBuffer, key: Uint8Array, v: bigint): void {
  if (v < 0n || v > U64_MAX) throw new VMError('LimitExceeded', `amount out of range: ${v}`);
  if (v === 0n) st.del(key);
  else st.set(key, encU64(v));
}
/** readAmount + delta → writeAmount, the key built once (several balance updates per request). */
function addAmount(st: VirtualStateBuffer, key: Uint8Array, delta: bigint): void {
  writeAmount(st, key, readAmount(st, key) + delta);
}

export function accountBalances(st: StateReader, a: AgentID): Balances {
  const prefix = partitionKey(H.accounts, concatBytes(ACCOUNT, agentIDBytes(a)));
  const entries: [Uint8Array, bigint][] = [];
  for (const k of st.keys(prefix)) entries.push([k.subarray(prefix.length), readAmount(st, k)]);
  return balancesOf(entries);
}

export function totalAssets(st: StateReader): Balances {
  const prefix = partitionKey(H.accounts, TOTAL);
  return balancesOf(st.keys(prefix).map((k) => [k.subarray(prefix.length), readAmount(st, k)] as const));
}

/** Agent IDs of non-empty accounts, in byte order, at most `max`. */
export function listAccounts(st: StateReader, max: number): AgentID[] {
  const prefix = partitionKey(H.accounts, ACCOUNT);
  const seen = new Set<string>();
  const out: AgentID[] = [];
  for (const k of st.keys(prefix)) {
    const id = toHex(k.subarray(prefix.length, prefix.length + AGENT_ID_SIZE));
    if (seen.has(id)) continue;
    if (out.length >= max) break;
    seen.add(id);
    out.push(agentIDFromBytes(fromHex(id)));
  }
  return out;
}

/** Tokens entering the chain (a request's transfer): account and total both grow. */
export function creditFromOutside(st: VirtualStateBuffer, to: AgentID, b: Balances): void {
  for (const [ck, v] of sortedEntries(b)) {
    const c = fromHex(ck);
    addAmount(st, accountKey(to, c), v);
    addAmount(st, totalKey(c), v);
  }
}

/** Tokens leaving the chain (withdrawal, cross-chain request): account and total both shrink. */
export function debitToOutside(st: VirtualStateBuffer, from: AgentID, b: Balances): void {
  requireFunds(st, from, b);
  for (const [ck, v] of sortedEntries(b)) {
    const c = fromHex(ck);
    addAmount(st, accountKey(from, c), -v);
    addAmount(st, totalKey(c), -v);
  }
}

/** On-chain move between accounts: totals unchanged. */
export function moveFunds(st: VirtualStateBuffer, from: AgentID, to: AgentID, b: Balances): void {
  requireFunds(st, from, b);
  for (const [ck, v] of sortedEntries(b)) {
    const c = fromHex(ck);
    addAmount(st, accountKey(from, c), -v);
    addAmount(st, accountKey(to, c), v);
  }
}

function requireFunds(st: StateReader, from: AgentID, b: Balances): void {
  for (const [ck, v] of sortedEntries(b)) {
    if (v <= 0n) throw new VMError('BadParams', 'transfer amounts must be positive');
    if (ck.length !== COLOR_SIZE * 2) throw new VMError('BadParams', 'bad color');
    const have = readAmount(st, accountKey(from, fromHex(ck)));
    if (have < v) throw new VMError('InsufficientFunds', `account has ${have} of color ${ck.slice(0, 8)}…, needs ${v}`);
  }
}
