import { hname, hnameToString } from '../../protocol/hname';
import { parseArgs } from '../chain-ops';
import { UsageError, type Command } from '../context';

export const hnameCommand: Command = {
  name: 'hname',
  usage: 'hname NAME             the hname of a contract or entry point name',
  async run(args, ctx) {
    const [name, ...more] = parseArgs(args, [], [], 'hname NAME').positional;
    if (name === undefined || more.length > 0) throw new UsageError('usage: iscp hname NAME');
    ctx.out(hnameToString(hname(name)));
  },
};
