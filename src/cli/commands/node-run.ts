import { resolve, join } from 'node:path';
import { addressFromString, addressToString, type Address } from '../../protocol/ids';
import { discoverChain } from '../chain-discovery';
import { bootupRecordOf } from '../chains-file';
import { fetchHubInfoFrom, HubUnreachableError } from '../../net/node-net';
import { NODE_NAME_PATTERN } from '../../worker/node-name';
import { StoreError } from '../../state/store';
import { openFileNodeStore, type FileNodeStore } from '../../store/file-store';
import { parseArgs } from '../chain-ops';
import { CliError, UsageError, type CliContext, type Command } from '../context';
import { acquireNodeIdentity, type CliNodeIdentity } from '../node-identity';
import { startNodeHost, type NodeHost } from '../node-host';
import { NodeWatch } from './node-watch';

export const NODE_RUN_USAGE = 'node run --name NAME [--data DIR] [--follow CHAIN_ID[,…]]   (a committee member / access node in this process, until Ctrl-C)';

/** The node identity's file inside the data folder (node-identity.ts's format and lock). */
export const NODE_IDENTITY_FILE = 'node-identity.json';

/** How often the watch looks at the node for new blocks, chains and setup phases (one line each). */
const WATCH_INTERVAL_MS = 200;

/**
 * `iscp node run`: a long-running node in this process — the same `createNode` a tab's worker runs, over the
 * same peering (the hub's relay) and nodeconn, with a file store in the data folder. It accepts DKG invitations
 * like a tab (createNode's default policy), so `iscp chain deploy --committee …` and the dashboards can put it in a
 * committee; after a restart it re-activates its chains from the registry and resumes from its block logs.
 */
async function nodeRun(args: readonly string[], ctx: CliContext): Promise<void> {
  const p = parseArgs(args, ['--name', '--data', '--follow'], [], NODE_RUN_USAGE);
  if (p.positional.length > 0) throw new UsageError(`unexpected '${p.positional[0]}'\nusage: iscp ${NODE_RUN_USAGE}`);
  const name = p.values.get('--name');
  if (!name) throw new UsageError(`--name is required\nusage: iscp ${NODE_RUN_USAGE}`);
  if (!NODE_NAME_PATTERN.test(name)) throw new UsageError(`node name '${name}' is not allowed: use 1–32 letters, digits, '-' or '_'`);
  const dir = resolve(p.values.get('--data') ?? `.iscp-node-${name}`);
  const follow = followList(p.values.get('--follow'));

  let info;
  try {
    info = await fetchHubInfoFrom(ctx.hubUrl);
  } catch (e) {
    throw e instanceof HubUnreachableError ? new CliError(e.message) : e;
  }
  let files: FileNodeStore | undefined;
  let identity: CliNodeIdentity | undefined;
  let host: NodeHost | undefined;
  let watch: NodeWatch | undefined;
  try {
    try {
      files = openFileNodeStore(dir, (n) => ctx.out(`store: ${n.file}: ${n.text}`));
    } catch (e) {
      if (e instanceof StoreError) throw new CliError(`data folder ${dir}: ${e.message}`);
      throw e;
    }
    identity = await acquireNodeIdentity(join(dir, NODE_IDENTITY_FILE));
    // The lock doubles as the data folder's: two processes appending to one block log would corrupt it.
    if (!identity.persistent) throw new CliError(`data folder ${dir} is in use by another running node (see ${join(dir, NODE_IDENTITY_FILE)}.lock)`);
    host = await startNodeHost({
      hub: info,
      name,
      secretKey: identity.secretKey,
      peerKey: identity.peerKey,
      store: files.store,
      registry: files.registry,
      log: { log: (level, message) => (level === 'warn' || level === 'error' ? ctx.out(`${level}: ${message}`) : undefined) },
    });
    const restored = host.node.chains();
    ctx.out(`node ${name} ready: node ID ${host.nodeId}, hub ${ctx.hubUrl}, data ${dir}, ${restored.length} chain${restored.length === 1 ? '' : 's'} restored`);
    // Activated inside start(), before anything could listen: said here, from the registry and the restored state.
    for (const chain of restored) {
      const r = await files.registry.getBootupRecord(chain);
      const role = r?.myIndex === null || !r ? 'access node' : `member ${r.myIndex} of ${r.n}, quorum ${r.t}`;
      ctx.out(`chain ${addressToString(chain).slice(0, 10)}…: restored from ${dir} at block #${host.node.snapshot(chain)?.blockIndex ?? 0} (${role})`);
    }
    for (const chain of follow) await followChain(host, chain, ctx);
    watch = new NodeWatch(host.node, ctx.out);
    const timer = setInterval(() => watch?.poll(), WATCH_INTERVAL_MS);
    watch.poll();
    const signal = await untilSignal();
    clearInterval(timer);
    ctx.out(`${signal}: stopping node ${name}`);
  } catch (e) {
    if (e instanceof HubUnreachableError) throw new CliError(e.message);
    throw e;
  } finally {
    await host?.stop().catch(() => undefined);
    await files?.close().catch(() => undefined);
    identity?.release();
  }
  ctx.out(`node ${name} stopped (chains: ${host?.node.chains().map((c) => addressToString(c).slice(0, 8)).join(', ') || 'none'})`);
}

/** `--follow A,B`: chain IDs (base58 addresses); a malformed one is a usage error. */
function followList(v: string | undefined): Address[] {
  if (v === undefined) return [];
  return v.split(',').map((id) => {
    try {
      return addressFromString(id.trim());
    } catch {
      throw new UsageError(`--follow: '${id}' is not a chain ID (a base58 chain address)\nusage: iscp ${NODE_RUN_USAGE}`);
    }
  });
}

/**
 * Follows a chain this node is not a member of, as an access node: its record is learned from the nodes that run
 * it (chain-discovery.ts, checked against L1), kept in the registry (a restart resumes it), and every block is
 * synced and checked against its anchor on L1 like any member's; the node then serves views locally and blocks
 * to whoever asks.
 */
async function followChain(host: NodeHost, chain: Address, ctx: CliContext): Promise<void> {
  if (host.node.chains().some((c) => addressToString(c) === addressToString(chain))) return;
  const known = await discoverChain(host, chain);
  await host.node.activateChain(bootupRecordOf(known), null);
  ctx.out(`chain ${known.address.slice(0, 10)}…: following as an access node (committee N=${known.committee.length} T=${known.t}: ${known.names.join(', ')})`);
}

function untilSignal(): Promise<string> {
  return new Promise((resolveSignal) => {
    const on = (sig: string) => (): void => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolveSignal(sig);
    };
    const onInt = on('SIGINT');
    const onTerm = on('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
}

const USAGE = ['node …', `    ${NODE_RUN_USAGE}`, '    (data DIR default ./.iscp-node-NAME: node-identity.json, registry.json, chains/*.blocks)'].join('\n');

export const nodeCommand: Command = {
  name: 'node',
  usage: USAGE,
  async run(args, ctx) {
    const [sub, ...rest] = args;
    if (sub !== 'run') throw new UsageError(`${sub === undefined ? 'node needs a subcommand' : `unknown node subcommand '${sub}'`}\nusage: iscp ${USAGE}`);
    await nodeRun(rest, ctx);
  },
};
