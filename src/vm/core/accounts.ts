import { addressEquals, balancesOf, COLOR_IOTA, fromHex, isAddressAgent, REQUEST_TOKEN_IOTA, sortedEntries, subBalances, type Balances } from '../../protocol';
import { coreAccess } from '../context';
import { Dict, encAgentID, encU64 } from '../dict';
import { VMError } from '../errors';
import { GAS, VM_LIMITS } from '../params';
import { NativeProcessor } from '../processor';
import { accountBalances, listAccounts, moveFunds, totalAssets } from './ledger';
import { CORE, EP, H, P } from './names';

function balancesDict(b: Balances): Dict {
  const d = new Dict();
  for (const [k, v] of sortedEntries(b)) d.set(fromHex(k), encU64(v));
  return d;
}

export const accountsContract = new NativeProcessor(CORE.accounts, {
  /** Credits the tokens sent with the request to the sender's account (or to agent 'a' if given). */
  [EP.accounts.deposit]: {
    fn: (ctx) => {
      const { buf } = coreAccess(ctx);
      const target = ctx.params.optAgentID(P.agentID) ?? ctx.caller();
      moveFunds(buf, ctx.contractId(), target, ctx.incoming());
      ctx.event(`[deposit] ${sortedEntries(ctx.incoming()).length} colors`);
    },
  },
  /** Pays everything in the sender's account out to the sender's L1 address. */
  [EP.accounts.withdrawToAddress]: {
    fn: (ctx) => {
      const { ctx: exec, buf } = coreAccess(ctx);
      const caller = ctx.caller();
      if (!isAddressAgent(caller)) throw new VMError('Unauthorized', 'withdrawToAddress is for address owners; contracts use withdrawToChain');
      moveFunds(buf, ctx.contractId(), caller, ctx.incoming());
      const all = accountBalances(buf, caller);
      if (all.size === 0) throw new VMError('InsufficientFunds', 'nothing to withdraw');
      exec.withdraw(caller, caller.chainId, all, all);
    },
  },
  /** Sends everything in a foreign contract's account home: a deposit request to accounts on its chain. */
  [EP.accounts.withdrawToChain]: {
    fn: (ctx) => {
      const { ctx: exec, buf } = coreAccess(ctx);
      const caller = ctx.caller();
      if (isAddressAgent(caller) || addressEquals(caller.chainId, ctx.chainId())) {
        throw new VMError('Unauthorized', 'withdrawToChain is for contracts on other chains');
      }
      moveFunds(buf, ctx.contractId(), caller, ctx.incoming());
      const all = accountBalances(buf, caller);
      if (all.size === 0) throw new VMError('InsufficientFunds', 'nothing to withdraw');
      moveFunds(buf, caller, ctx.contractId(), all);
      // The request token is paid from the funds going home (docs/decisions/vm-request-semantics.md).
      const home = subBalances(all, balancesOf([[COLOR_IOTA, REQUEST_TOKEN_IOTA]]));
      if (!home) throw new VMError('InsufficientFunds', `withdrawToChain needs at least ${REQUEST_TOKEN_IOTA} IOTA in the account for the request token`);
      const params = new Dict().set(P.agentID, encAgentID(caller));
      exec.postRequest(H.accounts, { chainId: caller.chainId, hname: H.accounts }, hnameOf(EP.accounts.deposit), params, home, 0);
    },
  },
  [EP.accounts.balance]: {
    view: true,
    fn: (ctx) => {
      ctx.chargeGas(GAS.stateKeys);
      return balancesDict(accountBalances(coreAccess(ctx).buf, ctx.params.agentID(P.agentID)));
    },
  },
  [EP.accounts.totalAssets]: {
    view: true,
    fn: (ctx) => {
      ctx.chargeGas(GAS.stateKeys);
      return balancesDict(totalAssets(coreAccess(ctx).buf));
    },
  },
  /** Agent IDs of all non-empty accounts (keys; values empty). */
  [EP.accounts.accounts]: {
    view: true,
    fn: (ctx) => {
      const list = listAccounts(coreAccess(ctx).buf, VM_LIMITS.accountsListMax);
      ctx.chargeGas(GAS.stateKeys * BigInt(1 + list.length));
      const d = new Dict();
      for (const a of list) d.set(encAgentID(a), new Uint8Array());
      return d;
    },
  },
});

import { hname as hnameOf } from '../../protocol';
