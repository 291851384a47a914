import { agentIDBytes, agentIDFromBytes, agentIDToString, colorFromString, colorToString, type ChainID } from '../../protocol/ids';
import { hnameToString, hname } from '../../protocol/hname';
import { toHex } from '../../protocol/bytes';
import { Dict, decU64 } from '../../vm/dict';
import { VMError } from '../../vm/errors';
import { EP, H, P } from '../../vm/core/names';
import { listContractRecords } from '../../vm/core/registry';
import { NodeApiError } from '../../node/l1-wallet';
import { findPeer } from '../../net/node-net';
import { loadChains, type KnownChain } from '../chains-file';
import { chainForCommand } from '../chain-discovery';
import { checkEntryPoint, memberLabel, openChain, parseAgent, parseKeyValues, renderKey, renderValue } from '../chain-ops';
import { CliError, UsageError, type CliContext } from '../context';
import type { NodeHost } from '../node-host';

/** `chain list`: the chains file, the default marked with '*'. No network. */
export async function chainList(_args: readonly string[], ctx: CliContext): Promise<void> {
  const f = loadChains(ctx.chainsFile);
  if (f.chains.length === 0) return ctx.out(`no chains in ${ctx.chainsFile}`);
  for (const c of f.chains) ctx.out(`${c.address === f.default ? '*' : ' '} ${c.address}  N=${c.committee.length} T=${c.t}  ${c.names.join(',')}${c.description ? `  "${c.description}"` : ''}`);
}

/** `chain info`: root.getChainInfo on a synced access node, plus the committee as the chains file knows it. */
export async function chainInfo(args: readonly string[], ctx: CliContext): Promise<void> {
  if (args.length > 0) throw new UsageError('usage: iscp chain info   (pick the chain with --chain ADDRESS)');
  const c = await chainForCommand(ctx);
  const host = await ctx.nodeHost();
  const chain = await openChain(host, c);
  const d = view(() => host.node.callView(chain, H.root, hname(EP.root.getChainInfo)));
  const snap = host.node.snapshot(chain);
  const peers = host.peers();
  ctx.out(`chain       ${c.address}`);
  ctx.out(`color       ${colorToString(d.get(P.chainColor) ?? colorFromString(c.color))}`);
  ctx.out(`description ${new TextDecoder().decode(d.get(P.description) ?? new Uint8Array())}`);
  const owner = d.get(P.chainOwner);
  ctx.out(`owner       ${owner ? agentIDToString(agentIDFromBytes(owner)) : '?'}`);
  ctx.out(`committee   N=${c.committee.length} T=${c.t}: ${c.committee.map((id, i) => `${memberLabel(c, i)} ${findPeer(peers, id)?.peeringUp ? 'up' : 'down'}`).join(', ')}`);
  ctx.out(`block       #${snap?.blockIndex ?? 0}  state hash ${snap?.stateHash ?? '?'}`);
  ctx.out(`anchor      ${snap?.anchorTxId ?? '?'}`);
  const st = host.node.solidState(chain);
  ctx.out(`contracts   ${st ? listContractRecords(st).map((r) => r.name).join(', ') : '?'}`);
}

/** `chain list-contracts`: the root contract's registry on the synced state. */
export async function chainListContracts(args: readonly string[], ctx: CliContext): Promise<void> {
  if (args.length > 0) throw new UsageError('usage: iscp chain list-contracts');
  const { host, chain } = await open(ctx);
  const st = host.node.solidState(chain);
  if (!st) throw new CliError('the chain has no state yet');
  const recs = listContractRecords(st);
  ctx.out(`${recs.length} contracts:`);
  for (const r of recs) ctx.out(`  ${r.name.padEnd(14)} ${hnameToString(r.hname)}  ${r.vmType.padEnd(6)} ${r.description}${r.vmType === 'core' ? '' : `  program ${toHex(r.programHash).slice(0, 16)}…`}`);
}

/** `chain call-view CONTRACT VIEW key=value...`: runs the view on our synced access node. */
export async function chainCallView(args: readonly string[], ctx: CliContext): Promise<void> {
  const [contract, fn, ...kv] = args;
  if (contract === undefined || fn === undefined || contract.startsWith('--') || fn.startsWith('--')) throw new UsageError('usage: iscp chain call-view CONTRACT VIEW [key=value ...]');
  const params = parseKeyValues(kv);
  const { host, chain } = await open(ctx);
  checkEntryPoint(host, chain, contract, fn, 'view');
  const d = view(() => host.node.callView(chain, contract, fn, params));
  const entries = d.entries();
  if (entries.length === 0) ctx.out('(no results)');
  for (const [k, v] of entries) ctx.out(`${renderKey(k)}: ${renderValue(v)}`);
}

/** `chain list-accounts`: accounts.accounts (agent IDs of every non-empty on-chain account). */
export async function chainListAccounts(args: readonly string[], ctx: CliContext): Promise<void> {
  if (args.length > 0) throw new UsageError('usage: iscp chain list-accounts');
  const { host, chain } = await open(ctx);
  const d = view(() => host.node.callView(chain, H.accounts, hname(EP.accounts.accounts)));
  const entries = d.entries();
  ctx.out(`${entries.length} accounts:`);
  for (const [k] of entries) ctx.out(`  ${agentIDToString(agentIDFromBytes(k))}`);
}

/** `chain balance AGENT`: accounts.balance of an on-chain account. */
export async function chainBalance(args: readonly string[], ctx: CliContext): Promise<void> {
  if (args.length !== 1) throw new UsageError('usage: iscp chain balance AGENT   (an address, A/address or C/chain::contract)');
  const agent = parseAgent(args[0] as string);
  const { host, chain } = await open(ctx);
  const d = view(() => host.node.callView(chain, H.accounts, hname(EP.accounts.balance), Dict.of({ [P.agentID]: agentIDBytes(agent) })));
  ctx.out(`account ${agentIDToString(agent)}:`);
  const entries = d.entries();
  if (entries.length === 0) ctx.out('  empty');
  for (const [k, v] of entries) ctx.out(`  ${colorToString(k)}: ${decU64(v)}`);
}

/** The selected chain, booted on our node as an access node and synced to the tip. */
export async function open(ctx: CliContext): Promise<{ host: NodeHost; chain: ChainID; known: KnownChain }> {
  const known = await chainForCommand(ctx);
  const host = await ctx.nodeHost();
  const chain = await openChain(host, known);
  return { host, chain, known };
}

/** A view's own failure (unknown contract, bad parameter, panic) is the user's to read, not a crash. */
function view(run: () => Dict): Dict {
  try {
    return run();
  } catch (e) {
    if (e instanceof VMError || e instanceof NodeApiError) throw new CliError(`view failed: ${e.message}`);
    throw e;
  }
}
