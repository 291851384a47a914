import { addressFromString, addressToString, colorKey, colorToString, type Address } from '../protocol/ids';
import type { ChainRecordAnswer } from '../node/chain-records';
import { addChain, selectChain, type KnownChain } from './chains-file';
import { CliError, type CliContext } from './context';
import type { NodeHost } from './node-host';

export const DISCOVERY_LIMITS = {
  /** How long to look for nodes that run the chain (presence every 2 s; relayed links come up in seconds). */
  timeoutMs: 30_000,
  pollMs: 200,
  /** After the first answer L1 agrees with, how long other peers get to answer (a lie is outvoted). */
  graceMs: 1_500,
} as const;

/**
 * The chain a `chain …` command acts on. A chain in the chains file is used as it is; a chain known only by its
 * ID (made in a dashboard, or by another CLI) is learned here: the CLI node asks every peer it reaches for the
 * chain's record (colour, committee, quorum — what a node running it keeps in its registry), keeps the answers
 * whose colour L1 confirms (the chain address holds a token of that colour) and takes the one most peers gave.
 * That is a pointer, not trust: every block the access node then syncs is checked against its anchor on L1.
 * The learned chain is added to the chains file (not made the default).
 */
export async function chainForCommand(ctx: CliContext): Promise<KnownChain> {
  const flag = ctx.chainFlag;
  let address: Address;
  try {
    return selectChain(ctx.chainsFile, flag);
  } catch (e) {
    if (!(e instanceof CliError) || flag === undefined || !isAddress(flag)) throw e;
    address = addressFromString(flag);
  }
  const host = await ctx.nodeHost();
  ctx.out(`chain ${flag} is not in ${ctx.chainsFile}: asking the nodes that run it…`);
  const known = await discoverChain(host, address);
  addChain(ctx.chainsFile, known);
  ctx.out(`learned chain ${known.address}: N=${known.committee.length} T=${known.t} ${known.names.join(',')} (saved in ${ctx.chainsFile})`);
  return known;
}

function isAddress(s: string): boolean {
  try {
    addressFromString(s);
    return true;
  } catch {
    return false;
  }
}

/** Asks every reachable peer about `chain` until L1 backs an answer (and others had a moment), or gives up. */
export async function discoverChain(host: NodeHost, chain: Address, limits = DISCOVERY_LIMITS): Promise<KnownChain> {
  const colorsOnL1 = new Set((await host.outputs(chain)).flatMap((o) => [...o.balances.keys()]));
  if (colorsOnL1.size === 0) throw new CliError(noAnswer(chain, 0, [], 0, limits.timeoutMs));
  const asked = new Set<string>();
  const start = Date.now();
  let firstValidAt: number | null = null;
  for (;;) {
    const fresh = host.peers().filter((p) => p.peeringUp && !asked.has(p.nodeId)).map((p) => p.nodeId);
    if (fresh.length > 0) {
      for (const id of fresh) asked.add(id);
      host.node.askChainRecord(chain, fresh);
    }
    const answers = host.node.chainRecordAnswers(chain);
    const valid = answers.filter((a) => colorsOnL1.has(colorKey(a.record.chainColor)));
    const now = Date.now();
    if (valid.length > 0 && firstValidAt === null) firstValidAt = now;
    const allAnswered = asked.size > 0 && answers.length === asked.size;
    if (firstValidAt !== null && (allAnswered || now - firstValidAt >= limits.graceMs)) return knownChainOf(host, chain, mostGiven(valid));
    if (now - start >= limits.timeoutMs) throw new CliError(noAnswer(chain, asked.size, answers, colorsOnL1.size, limits.timeoutMs));
    await new Promise((r) => setTimeout(r, limits.pollMs));
  }
}

/** The record most peers gave (ties: the first given); records are compared by their full content. */
function mostGiven(valid: readonly ChainRecordAnswer[]): ChainRecordAnswer {
  const count = new Map<string, number>();
  const keyOf = (a: ChainRecordAnswer): string => `${colorKey(a.record.chainColor)}/${a.record.t}/${a.record.committeeNodeIds.join(',')}`;
  for (const a of valid) count.set(keyOf(a), (count.get(keyOf(a)) ?? 0) + 1);
  return [...valid].sort((a, b) => (count.get(keyOf(b)) ?? 0) - (count.get(keyOf(a)) ?? 0))[0] as ChainRecordAnswer;
}

function knownChainOf(host: NodeHost, chain: Address, a: ChainRecordAnswer): KnownChain {
  const names = new Map(host.peers().map((p) => [p.nodeId, p.name]));
  return {
    address: addressToString(chain),
    color: colorToString(a.record.chainColor),
    committee: a.record.committeeNodeIds,
    names: a.record.committeeNodeIds.map((id) => names.get(id) ?? id.slice(0, 8)),
    t: a.record.t,
    description: '',
    deployedAtMs: 0,
  };
}

function noAnswer(chain: Address, asked: number, answers: readonly ChainRecordAnswer[], colorsOnL1: number, timeoutMs: number): string {
  const id = addressToString(chain);
  if (colorsOnL1 === 0) return `chain ${id}: L1 holds nothing at that address — no chain was deployed there (check the ID)`;
  if (asked === 0) return `chain ${id}: no peer reachable within ${timeoutMs / 1000} s to ask about it (are its members' tabs open?)`;
  if (answers.length === 0) return `chain ${id}: none of the ${asked} peers reached runs it (are its members' tabs open?)`;
  return `chain ${id}: ${answers.length} peer(s) answered, but none with the colour L1 shows for that address`;
}
