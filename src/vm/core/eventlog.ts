import { coreAccess } from '../context';
import { Dict, encU32, encU64 } from '../dict';
import { VM_LIMITS } from '../params';
import { NativeProcessor } from '../processor';
import { encodeEventRecord, eventRecords, numEventRecords } from './eventlog-store';
import { CORE, EP, P } from './names';

const I64_MAX = (1n << 63n) - 1n;

export const eventlogContract = new NativeProcessor(CORE.eventlog, {
  [EP.eventlog.getNumRecords]: {
    view: true,
    fn: (ctx) => new Dict().set(P.numRecords, encU64(BigInt(numEventRecords(coreAccess(ctx).buf, ctx.params.hname(P.contractHname))))),
  },
  /** Records of one contract, oldest first, keyed by u32 LE position: the last maxLastRecords in [fromTs, toTs]. */
  [EP.eventlog.getRecords]: {
    view: true,
    fn: (ctx) => {
      const max = Math.min(ctx.params.optU32(P.maxLastRecords, 50), VM_LIMITS.eventRecordsPerQueryMax);
      const recs = eventRecords(coreAccess(ctx).buf, ctx.params.hname(P.contractHname), ctx.params.optI64(P.fromTs, 0n), ctx.params.optI64(P.toTs, I64_MAX), max);
      ctx.chargeGas(BigInt(recs.length) * 50n);
      const d = new Dict();
      recs.forEach((r, i) => d.set(encU32(i), encodeEventRecord(r)));
      return d;
    },
  },
});
