import { addressEquals, addressFromString, addressToString, colorFromString, colorKey, COLOR_MINT, txIdToString, type Address } from '../../protocol/ids';
import { addBalances, balancesOf, subBalances, type Balances } from '../../protocol/balances';
import { equalBytes } from '../../protocol/bytes';
import { signTransaction } from '../../crypto/ed25519';
import { parseArgs } from '../chain-ops';
import { CliError, UsageError, type Command, type CliContext } from '../context';
import type { InclusionAnswer } from '../../nodeconn/libp2p';

const FINAL_TIMEOUT_MS = 30_000;

async function report(ctx: CliContext, a: InclusionAnswer, address: Address): Promise<void> {
  if (a.state === 'rejected') throw new CliError(`rejected: ${a.reason}`);
  ctx.out(`transaction ${txIdToString(a.txId)} ${a.state}`);
  const fin = await (await ctx.hub()).waitFinal(a.txId, address, { timeoutMs: FINAL_TIMEOUT_MS });
  if (fin.state === 'rejected') throw new CliError(`rejected: ${fin.reason}`);
  ctx.out(`transaction ${txIdToString(a.txId)} ${fin.state}`);
}

export const requestFundsCommand: Command = {
  name: 'request-funds',
  usage: 'request-funds          ask the hub faucet for iotas',
  async run(args, ctx) {
    if (parseArgs(args, [], [], requestFundsCommand.usage).positional.length > 0) throw new UsageError(`usage: iscp ${requestFundsCommand.usage}`);
    const kp = ctx.loadWallet();
    await report(ctx, await (await ctx.hub()).requestFunds(kp.address), kp.address);
  },
};

export const sendFundsCommand: Command = {
  name: 'send-funds',
  usage: 'send-funds ADDRESS COLOR AMOUNT   (COLOR: IOTA or base58; MINT mints a new color to ADDRESS)',
  async run(args, ctx) {
    const positional = parseArgs(args, [], [], sendFundsCommand.usage).positional;
    const [to, color, amountStr] = positional;
    if (to === undefined || color === undefined || amountStr === undefined || positional.length !== 3) throw new UsageError(`usage: iscp ${sendFundsCommand.usage}`);
    const target = addressFromString(to);
    const col = colorFromString(color);
    if (!/^\d+$/.test(amountStr) || BigInt(amountStr) === 0n) throw new CliError(`AMOUNT must be a positive integer, got '${amountStr}'`);
    const amount = BigInt(amountStr);
    const kp = ctx.loadWallet();
    const hub = await ctx.hub();
    const outs = await hub.getOutputs(kp.address);
    // Spend every output (simple, and it consolidates); minting takes its tokens from IOTA.
    const total = outs.reduce<Balances>((s, o) => addBalances(s, o.balances), new Map());
    const source = equalBytes(col, COLOR_MINT) ? colorFromString('IOTA') : col;
    const rest = subBalances(total, balancesOf([[source, amount]]));
    if (!rest) throw new CliError(`insufficient funds: have ${total.get(colorKey(source)) ?? 0n} of ${color}, need ${amount}`);
    const sent = balancesOf([[col, amount]]);
    const outputs = addressEquals(target, kp.address)
      ? [{ address: kp.address, balances: addBalances(rest, sent) }]
      : [{ address: target, balances: sent }, ...(rest.size ? [{ address: kp.address, balances: rest }] : [])];
    const tx = signTransaction({ inputs: outs.map((o) => ({ txId: o.txId, address: kp.address })), outputs, dataPayload: new Uint8Array() }, [kp]);
    ctx.out(`sending ${amount} ${color} to ${addressToString(target)}`);
    await report(ctx, await hub.postTransaction(tx), target);
  },
};
