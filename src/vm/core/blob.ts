import { coreAccess } from '../context';
import { Dict, encU32 } from '../dict';
import { VMError } from '../errors';
import { GAS, VM_LIMITS } from '../params';
import { NativeProcessor } from '../processor';
import { blobInfo, hasBlob, listBlobs, loadBlobField, storeBlobFields } from './blob-store';
import { CORE, EP, P } from './names';

export const blobContract = new NativeProcessor(CORE.blob, {
  /** Every parameter is a field (program 'p', VM type 'v', description 'd', or anything else). Result: 'hash'. */
  [EP.blob.storeBlob]: {
    fn: (ctx) => {
      const fields = ctx.params.entries();
      if (fields.length === 0) throw new VMError('BadParams', 'a blob needs at least one field');
      if (fields.length > VM_LIMITS.blobFieldsMax) throw new VMError('BadParams', `a blob has at most ${VM_LIMITS.blobFieldsMax} fields`);
      const size = fields.reduce((s, [k, v]) => s + k.length + v.length, 0);
      ctx.chargeGas(GAS.hash + BigInt(size) * GAS.perByte * 2n);
      const { buf } = coreAccess(ctx);
      const hash = storeBlobFields(buf, fields);
      ctx.event(`[blob] stored ${fields.length} fields, ${size} bytes`);
      return new Dict().set(P.blobHash, hash);
    },
  },
  [EP.blob.getBlobInfo]: {
    view: true,
    fn: (ctx) => {
      const { buf } = coreAccess(ctx);
      const hash = ctx.params.hash(P.blobHash);
      if (!hasBlob(buf, hash)) throw new VMError('BadParams', 'no such blob');
      const d = new Dict();
      for (const [f, n] of blobInfo(buf, hash)) d.set(f, encU32(n));
      return d;
    },
  },
  [EP.blob.getBlobField]: {
    view: true,
    fn: (ctx) => {
      const { buf } = coreAccess(ctx);
      const v = loadBlobField(buf, ctx.params.hash(P.blobHash), ctx.params.bytes(P.blobField));
      if (!v) throw new VMError('BadParams', 'no such blob field');
      ctx.chargeGas(BigInt(v.length) * GAS.perByte);
      return new Dict().set('bytes', v);
    },
  },
  [EP.blob.listBlobs]: {
    view: true,
    fn: (ctx) => {
      const d = new Dict();
      for (const [h, n] of listBlobs(coreAccess(ctx).buf)) d.set(h, encU32(n));
      return d;
    },
  },
});
