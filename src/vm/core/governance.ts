import { agentIDEquals, concatBytes, decodeAll, readAddress, utf8 } from '../../protocol';
import type { Sandbox } from '../sandbox';
import { decU32, decU64, Dict, encAddress, encU32, encU64 } from '../dict';
import { VMError } from '../errors';
import { NativeProcessor } from '../processor';
import { CORE, EP, H, P } from './names';
import { VM_LIMITS } from '../params';
import { partitionKey } from '../partition';
import type { StateReader } from '../../state/types';

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
export const GOV_DEFAULTS = { maxBatchSize: VM_LIMITS.batchSizeMax, gasLimitPerRequest: VM_LIMITS.gasLimitPerRequestDefault } as const;

/**
 * The chain's maxBatchSize as its state says (the default before governance.init): consensus reads it from the
 * solid state every round, so the leader proposes at most this many requests and members refuse a bigger batch.
 */
export function governanceMaxBatchSize(st: StateReader): number {
  const v = st.get(partitionKey(H.governance, PARAM_MAX_BATCH));
  return v ? decU32(v, GOV_P.maxBatchSize) : GOV_DEFAULTS.maxBatchSize;
}

/** The chain's gasLimitPerRequest as its state says (the default before governance.init): the VM reads it per batch. */
export function governanceGasLimit(st: StateReader): bigint {
  const v = st.get(partitionKey(H.governance, PARAM_GAS_LIMIT));
  return v ? decU64(v, GOV_P.gasLimitPerRequest) : GOV_DEFAULTS.gasLimitPerRequest;
}

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
      const batch = ctx.params.has(GOV_P.maxBatchSize);
      const gas = ctx.params.has(GOV_P.gasLimitPerRequest);
      if (!batch && !gas) throw new VMError('BadParams', `give ${GOV_P.maxBatchSize} and/or ${GOV_P.gasLimitPerRequest}`);
      // Check both before writing either: a refused call changes nothing.
      const n = batch ? ctx.params.u32(GOV_P.maxBatchSize) : 0;
      if (batch && (n < 1 || n > VM_LIMITS.batchSizeMax)) throw new VMError('BadParams', `maxBatchSize must be 1..${VM_LIMITS.batchSizeMax}`);
      const g = gas ? ctx.params.u64(GOV_P.gasLimitPerRequest) : 0n;
      const { gasLimitPerRequestMin: gMin, gasLimitPerRequestMax: gMax } = VM_LIMITS;
      if (gas && (g < gMin || g > gMax)) throw new VMError('BadParams', `gasLimitPerRequest must be ${gMin}..${gMax}`);
      if (batch) ctx.state.set(PARAM_MAX_BATCH, encU32(n));
      if (gas) ctx.state.set(PARAM_GAS_LIMIT, encU64(g));
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
