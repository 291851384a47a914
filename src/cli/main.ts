import '../hub/polyfill';
import { DecodeError } from '../protocol/errors';
import { COMMANDS } from './commands/index';
import { CliError, createContext, UsageError } from './context';

const DEFAULT_HUB = 'http://127.0.0.1:8080';
const DEFAULT_WALLET = './.iscp-wallet.json';
const DEFAULT_CHAINS = './.iscp-chains.json';
/** Global flags taking a value, anywhere on the line. */
const VALUE_FLAGS = ['--hub', '--wallet', '--chain', '--chains', '--node-identity'] as const;

function usage(): string {
  return [
    'usage: iscp [--hub URL] [--wallet FILE] [--chain ADDRESS] [--chains FILE] [--node-identity FILE] COMMAND ...',
    ...COMMANDS.map((c) => `  ${c.usage}`),
    `  (hub default ${DEFAULT_HUB} or ISCP_HUB; wallet default ${DEFAULT_WALLET}; known chains in ${DEFAULT_CHAINS};`,
    '   the CLI node identity in .iscp-node.json next to the wallet)',
  ].join('\n');
}

/** Runs one command line; returns the exit code. Exported for tests. */
export async function runCli(argv: readonly string[], out: (l: string) => void = (l) => console.log(l), err: (l: string) => void = (l) => console.error(l)): Promise<number> {
  let hubUrl = process.env.ISCP_HUB ?? DEFAULT_HUB;
  let walletFile = DEFAULT_WALLET;
  let chainsFile = DEFAULT_CHAINS;
  let chainFlag: string | undefined;
  let nodeIdentityFile: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const flag = VALUE_FLAGS.find((f) => a === f || a.startsWith(`${f}=`));
    if (flag) {
      const v = a.includes('=') ? a.slice(flag.length + 1) : argv[++i];
      if (v === undefined || v === '') {
        err(`${flag} needs a value\n${usage()}`);
        return 2;
      }
      if (flag === '--hub') hubUrl = v;
      else if (flag === '--wallet') walletFile = v;
      else if (flag === '--chains') chainsFile = v;
      else if (flag === '--node-identity') nodeIdentityFile = v;
      else chainFlag = v;
    } else rest.push(a);
  }
  const [name, ...args] = rest;
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    const asked = name === 'help' || name === '--help' || name === '-h';
    if (asked) out(usage());
    else err(name === undefined ? usage() : `unknown command '${name}'\n${usage()}`);
    return asked ? 0 : 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    out(`usage: iscp ${cmd.helpFor ? cmd.helpFor(args) : cmd.usage}`);
    return 0;
  }
  const ctx = createContext({ walletFile, hubUrl, chainsFile, chainFlag, nodeIdentityFile, out });
  try {
    await cmd.run(args, ctx);
    return 0;
  } catch (e) {
    if (e instanceof CliError || e instanceof DecodeError) {
      err(`error: ${e.message}`);
      return e instanceof UsageError ? 2 : 1;
    }
    throw e;
  } finally {
    await ctx.close();
  }
}

/** Runs the CLI as a process: exit code from the command, an unexpected error printed with its stack. */
export function runAsProcess(argv: readonly string[]): void {
  runCli([...argv]).then(
    (code) => process.exit(code),
    (e: Error) => {
      console.error(e);
      process.exit(1);
    },
  );
}

// `tsx src/cli/main.ts …` (npm run iscp). bin/iscp.mjs calls runAsProcess itself: under npx its path is
// node_modules/.bin/iscp, so the script path says nothing about who started us.
if (process.argv[1] !== undefined && /src[\\/]cli[\\/]main\.ts$/.test(process.argv[1])) runAsProcess(process.argv.slice(2));
