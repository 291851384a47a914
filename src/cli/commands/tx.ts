import { addressToString, txIdFromString, txIdToString, agentIDToString, requestIDToString } from '../../protocol/ids';
import { balancesToString } from '../../protocol/balances';
import { hnameToString } from '../../protocol/hname';
import { transactionId } from '../../protocol/transaction';
import { ValidationError } from '../../protocol/errors';
import { parseSCTransaction } from '../../protocol/sctx';
import { parseArgs } from '../chain-ops';
import { CliError, UsageError, type Command } from '../context';

export const txCommand: Command = {
  name: 'tx',
  usage: 'tx show TXID           a confirmed transaction, parsed as an SC transaction when it is one',
  async run(args, ctx) {
    const [sub, idText, ...more] = parseArgs(args, [], [], txCommand.usage).positional;
    if (sub !== 'show' || idText === undefined || more.length > 0) throw new UsageError(`usage: iscp ${txCommand.usage}`);
    let id;
    try {
      id = txIdFromString(idText);
    } catch (e) {
      throw new UsageError(`'${idText}' is not a transaction ID: IDs are base58 (as \`iscp\` and the dashboard print them) — ${(e as Error).message}`);
    }
    const tx = await (await ctx.hub()).getConfirmedTransaction(id, { timeoutMs: 5000 }).catch(() => {
      throw new CliError(`no confirmed transaction ${idText} on the hub`);
    });
    ctx.out(`transaction ${txIdToString(transactionId(tx))}`);
    for (const i of tx.inputs) ctx.out(`  input  ${txIdToString(i.txId)} / ${addressToString(i.address)}`);
    for (const o of tx.outputs) ctx.out(`  output ${addressToString(o.address)}: ${balancesToString(o.balances)}`);
    try {
      const sc = parseSCTransaction(tx);
      if (!sc) {
        ctx.out(`  data payload: ${tx.dataPayload.length} bytes (not an SC payload)`);
        return;
      }
      ctx.out(`  SC transaction from ${addressToString(sc.senderAddress)}${sc.isOrigin ? ' (origin)' : ''}`);
      if (sc.payload.state) ctx.out(`  state: chain ${sc.chainAddress ? addressToString(sc.chainAddress) : '?'} block ${sc.payload.state.blockIndex}`);
      for (const r of sc.requests)
        ctx.out(`  request ${requestIDToString(r.id)} from ${agentIDToString(r.sender)} to ${addressToString(r.section.targetContractID.chainId)}::${hnameToString(r.section.targetContractID.hname)} entry ${hnameToString(r.section.entryPoint)}`);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      ctx.out(`  SC payload, semantically invalid: ${e.message}`);
    }
  },
};
