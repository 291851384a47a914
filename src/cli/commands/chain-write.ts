import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { balancesOf } from '../../protocol/balances';
import { argsOf } from '../../protocol/payload';
import { addressToString, COLOR_IOTA, requestIDToString } from '../../protocol/ids';
import { contractNameProblem, hname, hnameToString } from '../../protocol/hname';
import { toHex } from '../../protocol/bytes';
import { NodeApiError } from '../../node/l1-wallet';
import { DeployError } from '../../chain/deploy';
import type { RequestReceipt } from '../../vm/core/blocklog';
import { checkEntryPoint, intOption, parseArgs, parseKeyValues, waitProcessed } from '../chain-ops';
import { CliError, UsageError, type CliContext } from '../context';
import { open } from './chain-read';

const POST_USAGE = 'chain post-request CONTRACT FUNC [key=value ...] [--transfer IOTAS] [--no-wait]';
const DEPLOY_CONTRACT_USAGE = 'chain deploy-contract NAME FILE.wasm [--description D]';

/**
 * `chain post-request`: one request transaction from the CLI wallet, straight to L1 through the hub (the committee
 * picks it up from there). Then, unless --no-wait, follows the chain as an access node until the request is
 * processed and prints its receipt.
 */
export async function chainPostRequest(args: readonly string[], ctx: CliContext): Promise<void> {
  const p = parseArgs(args, ['--transfer'], ['--no-wait'], POST_USAGE);
  const [contract, fn, ...kv] = p.positional;
  if (contract === undefined || fn === undefined) throw new UsageError(`usage: iscp ${POST_USAGE}`);
  const params = parseKeyValues(kv);
  const transfer = intOption(p, '--transfer', 1, Number.MAX_SAFE_INTEGER);
  const kp = ctx.loadWallet();
  const wait = !p.switches.has('--no-wait');
  // Synced first (even with --no-wait): the contract and entry point are checked before anything is paid.
  const { host, chain } = await open(ctx);
  checkEntryPoint(host, chain, contract, fn, 'full');
  const spec = {
    target: { chainId: chain, hname: hname(contract) },
    entryPoint: hname(fn),
    args: argsOf(Object.entries(params)),
    ...(transfer ? { transfer: balancesOf([[COLOR_IOTA, BigInt(transfer)]]) } : {}),
  };
  const { requestIds } = await l1(() => host.node.postRequest(kp, [spec]));
  const id = requestIds[0];
  if (!id) throw new CliError('no request ID came back');
  ctx.out(`request ${requestIDToString(id)} confirmed on L1: ${contract}.${fn}`);
  if (!wait) return;
  const [r] = await waitProcessed(host, chain, [id]);
  printReceipt(ctx, r as RequestReceipt);
}

/** `chain deploy-contract`: blob.storeBlob + root.deployContract in one transaction, then both receipts. */
export async function chainDeployContract(args: readonly string[], ctx: CliContext): Promise<void> {
  const p = parseArgs(args, ['--description'], [], DEPLOY_CONTRACT_USAGE);
  const [name, file] = p.positional;
  if (name === undefined || file === undefined || p.positional.length !== 2) throw new UsageError(`usage: iscp ${DEPLOY_CONTRACT_USAGE}`);
  const nameProblem = contractNameProblem(name);
  if (nameProblem) throw new CliError(nameProblem);
  if (!existsSync(file)) throw new CliError(`no file ${file}`);
  const program = new Uint8Array(readFileSync(file));
  if (program.length < 8 || program[0] !== 0 || program[1] !== 0x61 || program[2] !== 0x73 || program[3] !== 0x6d) throw new CliError(`${file} is not a wasm module`);
  const kp = ctx.loadWallet();
  const { host, chain } = await open(ctx);
  if (host.node.describeContracts(chain).some((c) => c.name === name)) throw new CliError(`chain ${addressToString(chain).slice(0, 12)}… already has a contract '${name}': pick another name`);
  const description = p.values.get('--description') ?? basename(file);
  const r = await l1(() => host.node.deployContract(kp, chain, { name, program, description }));
  ctx.out(`deploying '${name}' (${program.length} bytes, program ${toHex(r.programHash).slice(0, 16)}…) in tx ${requestIDToString({ txId: r.txId, index: 0 }).slice(3)}`);
  const receipts = await waitProcessed(host, chain, r.requestIds);
  const failed = receipts.find((x) => !x.ok);
  if (failed) throw new CliError(`deploying '${name}' failed in block #${failed.blockIndex}: ${failed.error?.kind ?? ''}: ${failed.error?.message ?? ''}`);
  ctx.out(`contract '${name}' deployed in block #${receipts.at(-1)?.blockIndex}: hname ${hnameToString(r.hname)}`);
}

function printReceipt(ctx: CliContext, r: RequestReceipt): void {
  if (r.ok) ctx.out(`processed in block #${r.blockIndex} (gas ${r.gasUsed})`);
  else throw new CliError(`processed in block #${r.blockIndex} with an error: ${r.error?.kind ?? ''}: ${r.error?.message ?? ''}`);
}

/** L1 failures (no funds, rejected, timeout) in plain words. */
async function l1<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof NodeApiError || e instanceof DeployError) {
      const hint = /insufficient|no outputs|funds/i.test(e.message) ? ' (run `iscp request-funds`)' : '';
      throw new CliError(`posting to L1 failed: ${e.message}${hint}`);
    }
    throw e;
  }
}
