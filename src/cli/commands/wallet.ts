import { addressToString } from '../../protocol/ids';
import { balancesToString, addBalances, type Balances } from '../../protocol/balances';
import { cryptoRng } from '../../protocol/rng';
import { parseArgs } from '../chain-ops';
import { UsageError, type Command } from '../context';

export const walletCommand: Command = {
  name: 'wallet',
  usage: 'wallet new [--force] | wallet address | wallet balance',
  async run(args, ctx) {
    const p = parseArgs(args, [], ['--force'], walletCommand.usage);
    const [sub, ...more] = p.positional;
    if (more.length > 0 || (p.switches.has('--force') && sub !== 'new')) throw new UsageError(`usage: iscp ${walletCommand.usage}`);
    switch (sub) {
      case 'new': {
        const kp = ctx.saveWallet(cryptoRng.bytes(32), p.switches.has('--force'));
        ctx.out(`new wallet in ${ctx.walletFile}`);
        ctx.out(addressToString(kp.address));
        return;
      }
      case 'address':
        ctx.out(addressToString(ctx.loadWallet().address));
        return;
      case 'balance': {
        const kp = ctx.loadWallet();
        const outs = await (await ctx.hub()).getOutputs(kp.address);
        const total = outs.reduce<Balances>((s, o) => addBalances(s, o.balances), new Map());
        ctx.out(`address ${addressToString(kp.address)}: ${outs.length} outputs`);
        ctx.out(total.size ? balancesToString(total) : 'empty');
        return;
      }
      default:
        throw new UsageError(`usage: iscp ${walletCommand.usage}`);
    }
  },
};
