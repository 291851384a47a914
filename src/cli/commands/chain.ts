import { CliError, UsageError, type CliContext, type Command } from '../context';
import { chainDeploy, DEPLOY_USAGE } from './chain-deploy';
import { chainBalance, chainCallView, chainInfo, chainList, chainListAccounts, chainListContracts } from './chain-read';
import { chainDeployContract, chainPostRequest } from './chain-write';

/** `iscp chain SUBCOMMAND …` (wasp-cli names). */
const SUB: Readonly<Record<string, (args: readonly string[], ctx: CliContext) => Promise<void>>> = {
  deploy: chainDeploy,
  list: chainList,
  info: chainInfo,
  'list-contracts': chainListContracts,
  'list-accounts': chainListAccounts,
  'deploy-contract': chainDeployContract,
  'post-request': chainPostRequest,
  'call-view': chainCallView,
  balance: chainBalance,
};

const USAGE = [
  'chain …',
  `    ${DEPLOY_USAGE}`,
  '    chain list | chain info | chain list-contracts | chain list-accounts',
  '    chain deploy-contract NAME FILE.wasm [--description D]',
  '    chain post-request CONTRACT FUNC [key=value ...] [--transfer IOTAS] [--no-wait]',
  '    chain call-view CONTRACT VIEW [key=value ...]',
  '    chain balance AGENT',
  '    (values: 5 = u64, u64:5, i64:-3, str:text, hex:00ff; --chain ADDRESS picks a chain from `chain list`)',
].join('\n');

export const chainCommand: Command = {
  name: 'chain',
  usage: USAGE,
  helpFor(args) {
    const sub = args.find((a) => !a.startsWith('-'));
    const lines = sub === undefined || !SUB[sub] ? [] : USAGE.split('\n').filter((l) => l.includes(`chain ${sub}`));
    return lines.length ? lines.map((l) => l.trim()).join('\n') : USAGE;
  },
  async run(args, ctx) {
    const [sub, ...rest] = args;
    const run = sub === undefined ? undefined : SUB[sub];
    if (!run) throw new UsageError(`${sub === undefined ? 'chain needs a subcommand' : `unknown chain subcommand '${sub}'`}\nusage: iscp ${USAGE}`);
    await run(rest, ctx);
  },
};
