import { agentIDEquals, concatBytes, decodeAll, readAddress, utf8 } from '../../protocol';
import type { Sandbox } from '../sandbox';
import { Dict, encAddress, encU32, encU64 } from '../dict';
import { VMError } from '../errors';
import { NativeProcessor } from '../processor';
import { CORE, EP, P } from './names';

/**
 * Governance: chain parameters and committee rotation bookkeeping. Rotation itself is the consensus layer's
 * job; this contract only records, under the owner's authority, which committee addresses are candidates and
 * which rotation is pending, so the state (and hence every member) agrees on it.
 *   'pm' → u32 max batch size, 'pg' → u64 gas limit per request
 *   'cc' ‖ address → 1      candidate committee address
 *   'rp' → address          pending rotation target
 */
const PARAM_MAX_BATCH = utf8('pm');
const PARAM_GAS_LIMIT = utf8('pg');
const CANDIDATE = utf8('cc');
const PENDING = utf8('rp');

export const GOV_P = { maxBatchSize: 'maxBatchSize', gasLimitPerRequest: 'gasLimitPerRequest' } as const;
export const GOV_DEFAULTS = { maxBatchSize: 100, gasLimitPerRequest: 5_000_000n } as const;

function requireOwner(ctx: Sandbox): void {
  if (!agentIDEquals(ctx.caller(), ctx.chainOwnerId())) throw new VMError('Unauthorized', 'only the chain owner may do this');
}

export const governanceContract = new NativeProcessor(CORE.governance, {
  [EP.init]: {
    fn: (ctx) => {
      ctx.state.set(PARAM_MAX_BATCH, encU32(GOV_DEFAULTS.maxBatchSize));
      ctx.state.set(PARAM_GAS_LIMIT, encU64(GOV_DEFAULTS.gasLimitPerRequest));
    },
  },
  [EP.governance.setChainParams]: {
    fn: (ctx) => {
      requireOwner(ctx);
      if (ctx.params.has(GOV_P.maxBatchSize)) {
        const n = ctx.params.u32(GOV_P.maxBatchSize);
        if (n < 1 || n > 1024) throw new VMError('BadParams', 'maxBatchSize must be 1..1024');
        ctx.state.set(PARAM_MAX_BATCH, encU32(n));
      }
      if (ctx.params.has(GOV_P.gasLimitPerRequest)) {
        const g = ctx.params.u64(GOV_P.gasLimitPerRequest);
        if (g < 100_000n) throw new VMError('BadParams', 'gasLimitPerRequest must be at least 100000');
        ctx.state.set(PARAM_GAS_LIMIT, encU64(g));
      }
    },
  },
  [EP.governance.addCandidateCommittee]: {
    fn: (ctx) => {
      requireOwner(ctx);
      ctx.state.set(concatBytes(CANDIDATE, encAddress(ctx.params.address(P.address))), Uint8Array.of(1));
    },
  },
  [EP.governance.removeCandidateCommittee]: {
    fn: (ctx) => {
      requireOwner(ctx);
      ctx.state.del(concatBytes(CANDIDATE, encAddress(ctx.params.address(P.address))));
    },
  },
  /** Marks a rotation to a candidate committee address as pending (the consensus layer carries it out). */
  [EP.governance.rotateCommittee]: {
    fn: (ctx) => {
      requireOwner(ctx);
      const a = encAddress(ctx.params.address(P.address));
      if (!ctx.state.has(concatBytes(CANDIDATE, a))) throw new VMError('BadParams', 'address is not a candidate committee');
      ctx.state.set(PENDING, a);
      ctx.event('[governance] committee rotation pending');
    },
  },
  [EP.governance.getChainParams]: {
    view: true,
    fn: (ctx) =>
      new Dict()
        .set(GOV_P.maxBatchSize, ctx.state.get(PARAM_MAX_BATCH) ?? encU32(GOV_DEFAULTS.maxBatchSize))
        .set(GOV_P.gasLimitPerRequest, ctx.state.get(PARAM_GAS_LIMIT) ?? encU64(GOV_DEFAULTS.gasLimitPerRequest)),
  },
  [EP.governance.getCandidateCommittees]: {
    view: true,
    fn: (ctx) => {
      const d = new Dict();
      for (const k of ctx.state.keys(CANDIDATE)) d.set(k.subarray(CANDIDATE.length), Uint8Array.of(1));
      return d;
    },
  },
  [EP.governance.getPendingRotation]: {
    view: true,
    fn: (ctx) => {
      const v = ctx.state.get(PENDING);
      if (!v) return new Dict();
      decodeAll(v, 'address', readAddress);
      return new Dict().set(P.address, v);
    },
  },
});
