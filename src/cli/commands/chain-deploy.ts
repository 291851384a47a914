import { addressToString, colorToString, txIdToString } from '../../protocol/ids';
import { DeployError, validateCommittee } from '../../chain/deploy';
import { NodeApiError } from '../../node/l1-wallet';
import { SETUP_LIMITS, type DeploymentView } from '../../node/setup';
import { findPeer } from '../../net/node-net';
import { CLI_LIMITS, intOption, parseArgs, waitProcessed } from '../chain-ops';
import { rememberChain, bootupRecordOf, type KnownChain } from '../chains-file';
import { CliError, UsageError, type CliContext } from '../context';

export const DEPLOY_USAGE = 'chain deploy --committee NODE1,NODE2,... [--quorum T] [--description D] [--peer-wait-ms N] [--phase-timeout-ms N]';

/**
 * `chain deploy`: this process's node is the INITIATOR and not a committee member (src/node/setup.ts supports
 * that: myIndex null). It finds the named tabs in presence, runs deployChain (invite → DKG among the tabs → origin
 * tx from the CLI wallet → activate → root init), records the chain in the chains file, then follows the chain as
 * an access node until block #1 (the init request) is committed.
 */
export async function chainDeploy(args: readonly string[], ctx: CliContext): Promise<void> {
  const p = parseArgs(args, ['--committee', '--quorum', '--description', '--peer-wait-ms', '--phase-timeout-ms'], [], DEPLOY_USAGE);
  if (p.positional.length > 0) throw new UsageError(`unexpected '${p.positional[0]}'\nusage: iscp ${DEPLOY_USAGE}`);
  const committeeArg = p.values.get('--committee');
  if (!committeeArg) throw new UsageError(`--committee is required\nusage: iscp ${DEPLOY_USAGE}`);
  const names = committeeArg.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new CliError(`node '${dup}' is listed twice in --committee`);
  const quorum = intOption(p, '--quorum', 1, 1_000);
  const description = p.values.get('--description') ?? '';
  const peerWaitMs = intOption(p, '--peer-wait-ms', 0, 600_000) ?? CLI_LIMITS.peerWaitMsDefault;
  const phaseTimeoutMs = intOption(p, '--phase-timeout-ms', SETUP_LIMITS.phaseTimeoutMsMin, SETUP_LIMITS.phaseTimeoutMsMax) ?? CLI_LIMITS.dkgPhaseTimeoutMsDefault;
  // N and T are checked before anything goes on the network (placeholder IDs: only count and quorum matter here).
  const t = committeeCheck(names.map((_, i) => String(i)), quorum);

  const kp = ctx.loadWallet();
  const host = await ctx.nodeHost();
  const outs = await host.outputs(kp.address).catch((e: Error) => {
    throw new CliError(e.message);
  });
  if (outs.length === 0) throw new CliError(`wallet ${addressToString(kp.address)} has no funds to pay for the origin transaction: run \`iscp request-funds\` first`);
  ctx.out(`looking for ${names.length} committee members through the hub (node ${host.name})…`);
  const w = await host.waitForPeers(names, peerWaitMs);
  if (w.unknown.length > 0) {
    const online = host.peers().map((x) => `${x.name} (${x.nodeId.slice(0, 8)})`);
    throw new CliError(`unknown node name${w.unknown.length > 1 ? 's' : ''} ${w.unknown.join(', ')}: ${online.length ? `online now: ${online.join(', ')}` : 'no node is online on this hub'} (use the names or node IDs the dashboards show)`);
  }
  if (w.up.length < t) throw new CliError(`not enough members online: ${w.up.length} of ${names.length} reachable (not: ${w.down.map((x) => x.name).join(', ')}); quorum ${t} needs at least ${t}`);
  if (w.down.length > 0) ctx.out(`warning: ${w.down.map((x) => x.name).join(', ')} not reachable; deploying with ${w.up.length} of ${names.length} (quorum ${t})`);
  // Committee order = command-line order (the committee index of each member).
  const all = [...w.up, ...w.down];
  const members = names.map((n) => findPeer(all, n) as (typeof all)[number]);
  ctx.out(`committee: ${members.map((m, i) => `#${i} ${m.name} (${m.nodeId.slice(0, 8)})`).join(', ')}; quorum ${t}`);

  let lastPhase = '';
  const onProgress = (v: DeploymentView): void => {
    if (v.phase === lastPhase) return;
    lastPhase = v.phase;
    ctx.out(`  ${v.phase}${v.qual ? ` (QUAL ${v.qual.join(',')})` : ''}`);
  };
  let r;
  try {
    r = await host.node.deployChain({ committeeNodeIds: members.map((m) => m.nodeId), t, description, initiatorWallet: kp, phaseTimeoutMs, onProgress });
  } catch (e) {
    if (e instanceof NodeApiError || e instanceof DeployError) throw new CliError(`chain deployment failed: ${e.message}`);
    throw e;
  }
  const known: KnownChain = {
    address: addressToString(r.chainAddress),
    color: colorToString(r.chainColor),
    committee: members.map((m) => m.nodeId),
    names: members.map((m) => m.name),
    t,
    description,
    deployedAtMs: Date.now(),
  };
  rememberChain(ctx.chainsFile, known);
  ctx.out(`chain ${known.address} deployed (color ${known.color}, origin ${txIdToString(r.originTxId)})`);
  await host.node.activateChain(bootupRecordOf(known), null);
  await waitProcessed(host, r.chainAddress, [r.initRequestId]);
  ctx.out(`block #1 committed: root init processed; chain saved in ${ctx.chainsFile} as the default`);
}

function committeeCheck(ids: readonly string[], t: number | undefined): number {
  try {
    return validateCommittee(ids, t);
  } catch (e) {
    if (e instanceof DeployError) throw new CliError(e.message.replace(/^bad-committee: /, ''));
    throw e;
  }
}
