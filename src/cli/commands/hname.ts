import { hname, hnameToString } from '../../protocol/hname';
import { CliError, type Command } from '../context';

export const hnameCommand: Command = {
  name: 'hname',
  usage: 'hname NAME             the hname of a contract or entry point name',
  async run(args, ctx) {
    const name = args[0];
    if (name === undefined || args.length !== 1) throw new CliError('usage: iscp hname NAME');
    ctx.out(hnameToString(hname(name)));
  },
};
