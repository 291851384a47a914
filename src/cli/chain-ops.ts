import { addressFromString, addressToString, agentIDFromAddress, requestIDToString, type AgentID, type ChainID, type RequestID } from '../protocol/ids';
import { hnameFromString, hname } from '../protocol/hname';
import { DecodeError } from '../protocol/errors';
import { toHex } from '../protocol/bytes';
import type { RequestReceipt } from '../vm/core/blocklog';
import { NotProcessedError, waitProcessed as waitProcessedOn, type PollClock } from '../node/wait-processed';
import { encodeParam, renderValue } from '../worker/params';
import { findPeer } from '../net/node-net';
import type { NodeHost } from './node-host';
import { bootupRecordOf, chainAddressOf, type KnownChain } from './chains-file';
import { CliError, UsageError } from './context';

/** Every wait of a `chain …` command, bounded and named (a CLI that hangs is worse than one that says why). */
export const CLI_LIMITS = {
  /** Finding committee members in presence and bringing their peering links up through the relay. */
  peerWaitMsDefault: 30_000,
  /**
   * DKG phase window the CLI proposes in its invite: the dashboard's own (src/worker RUNTIME_LIMITS) — members are
   * tabs on relayed or WebRTC links on a shared machine. Phases end early when every message is in.
   */
  dkgPhaseTimeoutMsDefault: 10_000,
  /** An access node catching up with the chain's tip (one block per sync round trip). */
  syncTimeoutMs: 60_000,
  /** A posted request being processed by the committee and seen by our access node. */
  processedTimeoutMs: 60_000,
  /** key=value parameters on one command line (as the dashboard allows). */
  paramsMax: 32,
  pollMs: 100,
} as const;

/** Parsed `--flag value` / `--flag=value` / `--switch` options and the positional arguments left. */
export interface ParsedArgs {
  readonly positional: readonly string[];
  readonly values: ReadonlyMap<string, string>;
  readonly switches: ReadonlySet<string>;
}

export function parseArgs(args: readonly string[], valueFlags: readonly string[], switchFlags: readonly string[], usage: string): ParsedArgs {
  const positional: string[] = [];
  const values = new Map<string, string>();
  const switches = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq < 0 ? a : a.slice(0, eq);
    if (switchFlags.includes(name) && eq < 0) switches.add(name);
    else if (valueFlags.includes(name)) {
      const v = eq < 0 ? args[++i] : a.slice(eq + 1);
      if (v === undefined) throw new UsageError(`${name} needs a value\nusage: iscp ${usage}`);
      values.set(name, v);
    } else throw new UsageError(`unknown option ${name}\nusage: iscp ${usage}`);
  }
  return { positional, values, switches };
}

export function intOption(p: ParsedArgs, flag: string, min: number, max: number): number | undefined {
  const v = p.values.get(flag);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new CliError(`${flag} must be a whole number from ${min} to ${max}, got '${v}'`);
  return Number(v);
}

/**
 * `key=value` parameters: the value syntax of the dashboard (src/worker/params.ts): `u64:5`, `i64:-3`,
 * `str:text`, `hex:00ff`, or bare (digits → u64, else UTF-8 text).
 */
export function parseKeyValues(items: readonly string[]): Record<string, Uint8Array> {
  if (items.length > CLI_LIMITS.paramsMax) throw new CliError(`at most ${CLI_LIMITS.paramsMax} key=value parameters`);
  const out: Record<string, Uint8Array> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new CliError(`'${item}' is not key=value (for example counter=5, name=str:alice, data=hex:00ff)`);
    const key = item.slice(0, eq);
    if (key in out) throw new CliError(`parameter '${key}' given twice`);
    try {
      out[key] = encodeParam(key, item.slice(eq + 1));
    } catch (e) {
      throw new CliError(`bad key=value '${item}': ${(e as Error).message}`);
    }
  }
  return out;
}

/** A result key: printable text as is, otherwise hex. */
export function renderKey(k: Uint8Array): string {
  try {
    const s = new TextDecoder('utf-8', { fatal: true }).decode(k);
    if (/^[\x20-\x7e]+$/.test(s)) return s;
  } catch {
    // not text
  }
  return `0x${toHex(k)}`;
}
export { renderValue };

/** `A/address`, `C/chain::hname`, or a bare address (an address agent). */
export function parseAgent(s: string): AgentID {
  try {
    if (s.startsWith('C/')) {
      const [chain, h] = s.slice(2).split('::');
      if (chain === undefined || h === undefined) throw new DecodeError('expected C/chain::hname', 0);
      return { chainId: addressFromString(chain), hname: /^[0-9a-f]{8}$/.test(h) ? hnameFromString(h) : hname(h) };
    }
    return agentIDFromAddress(addressFromString(s.startsWith('A/') ? s.slice(2) : s));
  } catch (e) {
    throw new CliError(`'${s}' is not an agent: use an address, A/address, or C/chainaddress::contract (${(e as Error).message})`);
  }
}

/** Names of committee members for messages: the name they had at deploy time, else a short node ID. */
export function memberLabel(c: KnownChain, i: number): string {
  const id = c.committee[i] ?? '';
  return c.names[i] && c.names[i] !== id ? `${c.names[i]} (${id.slice(0, 8)})` : id.slice(0, 8);
}

/**
 * Boots the chain on our node as an ACCESS node (no key share: it syncs blocks from the committee, checks each
 * against its anchor on L1, and answers views locally) and waits until it holds the tip L1 shows. Tabs do not
 * answer view requests over peering; they do serve blocks to whoever asks, which is all an access node needs.
 */
export async function openChain(host: NodeHost, c: KnownChain, timeoutMs: number = CLI_LIMITS.syncTimeoutMs): Promise<ChainID> {
  const chain = chainAddressOf(c);
  if (!host.node.chains().some((x) => addressToString(x) === c.address)) await host.node.activateChain(bootupRecordOf(c), null);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = host.node.snapshot(chain);
    if (s?.synced) return chain;
    if (Date.now() >= deadline) {
      const peers = host.peers();
      const up = c.committee.filter((id) => findPeer(peers, id)?.peeringUp);
      if (up.length === 0) throw new CliError(`no committee member of chain ${c.address.slice(0, 12)}… is online (${c.committee.map((_, i) => memberLabel(c, i)).join(', ')}): open their tabs`);
      throw new CliError(`could not sync chain ${c.address.slice(0, 12)}… from its committee within ${timeoutMs / 1000} s (at block #${s?.blockIndex ?? 0})`);
    }
    await sleep(CLI_LIMITS.pollMs);
  }
}

/**
 * Checks CONTRACT.ENTRY against the synced state before anything is paid, so a typo costs nothing and the message
 * names what exists. `kind`: a request needs a full entry point, call-view a view.
 */
export function checkEntryPoint(host: NodeHost, chain: ChainID, contract: string, entry: string, kind: 'full' | 'view'): void {
  const all = host.node.describeContracts(chain);
  const c = all.find((x) => x.name === contract);
  if (!c) throw new CliError(`no contract '${contract}' on chain ${addressToString(chain).slice(0, 12)}…; its contracts: ${all.map((x) => x.name).sort().join(', ')}`);
  const names = (view: boolean): string => c.entryPoints.filter((e) => e.isView === view).map((e) => e.name).sort().join(', ') || 'none';
  const ep = c.entryPoints.find((e) => e.name === entry);
  if (!ep) throw new CliError(`contract '${contract}' has no entry point '${entry}'; its entry points: ${names(false)}; its views: ${names(true)}`);
  if (kind === 'full' && ep.isView) throw new CliError(`'${contract}.${entry}' is a view: read it with \`iscp chain call-view ${contract} ${entry}\` (requests go to: ${names(false)})`);
  if (kind === 'view' && !ep.isView) throw new CliError(`'${contract}.${entry}' is a full entry point: post it with \`iscp chain post-request ${contract} ${entry}\` (views: ${names(true)})`);
}

/** Waits until our access node's state has processed every request; returns their receipts. */
export async function waitProcessed(host: NodeHost, chain: ChainID, ids: readonly RequestID[], timeoutMs: number = CLI_LIMITS.processedTimeoutMs): Promise<RequestReceipt[]> {
  try {
    return await waitProcessedOn(host.node, chain, ids, { clock: REAL_POLL_CLOCK, timeoutMs, pollMs: CLI_LIMITS.pollMs });
  } catch (e) {
    // The CLI's wording (tests and docs/cli.md show it): where the request is and what to check.
    if (e instanceof NotProcessedError) throw new CliError(`request ${e.missing.map(requestIDToString).join(', ')} not processed within ${timeoutMs / 1000} s (posted on L1; is a quorum of the committee online?)`);
    throw e;
  }
}

/** The process's own time: a CLI run waits on real L1 and real peers. */
const REAL_POLL_CLOCK: PollClock = { nowMs: () => Date.now(), sleep: (ms) => sleep(ms) };

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
