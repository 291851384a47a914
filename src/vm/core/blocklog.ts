import {
  concatBytes,
  decodeAll,
  readRequestID,
  requestIDBytes,
  utf8,
  Writer,
  type RequestID,
} from '../../protocol';
import type { StateReader } from '../../state/types';
import type { VirtualStateBuffer } from '../../state/vstate';
import { coreAccess } from '../context';
import { Dict, encBool, encU32, encU64 } from '../dict';
import { VMError, type VMErrorKind } from '../errors';
import { NativeProcessor } from '../processor';
import { partitionKey } from '../partition';
import { CORE, EP, H, P } from './names';

/** The outcome of one request, stored so "processed exactly once" can be checked from the state. */
export interface RequestReceipt {
  readonly requestId: RequestID;
  readonly ok: boolean;
  readonly error?: { readonly kind: VMErrorKind; readonly message: string };
  readonly gasUsed: bigint;
  /** Block that processed it, and its position in that block. */
  readonly blockIndex: number;
  readonly indexInBlock: number;
}

/** 'r' ‖ request ID(34) → receipt */
const RECEIPT = utf8('r');
const receiptKey = (id: RequestID) => partitionKey(H.blocklog, concatBytes(RECEIPT, requestIDBytes(id)));

export function encodeReceipt(r: RequestReceipt): Uint8Array {
  const w = new Writer().u32(r.blockIndex).u16(r.indexInBlock).u64(r.gasUsed).bool(r.ok);
  if (!r.ok) w.string(r.error?.kind ?? 'Panic').string((r.error?.message ?? '').slice(0, 1000));
  return w.finish();
}

export function decodeReceipt(id: RequestID, b: Uint8Array): RequestReceipt {
  return decodeAll(b, 'receipt', (r) => {
    const blockIndex = r.u32();
    const indexInBlock = r.u16();
    const gasUsed = r.u64();
    const ok = r.bool();
    if (ok) return { requestId: id, ok, gasUsed, blockIndex, indexInBlock };
    const kind = r.string() as VMErrorKind;
    const message = r.string();
    return { requestId: id, ok, error: { kind, message }, gasUsed, blockIndex, indexInBlock };
  });
}

export function writeReceipt(st: VirtualStateBuffer, r: RequestReceipt): void {
  st.set(receiptKey(r.requestId), encodeReceipt(r));
}

export function readReceipt(st: StateReader, id: RequestID): RequestReceipt | undefined {
  const v = st.get(receiptKey(id));
  return v === undefined ? undefined : decodeReceipt(id, v);
}

/** True when the request has a receipt in this state: it was processed (successfully or not) and never will be again. */
export const isRequestProcessed = (st: StateReader, id: RequestID): boolean => st.has(receiptKey(id));

function paramRequestId(d: Dict): RequestID {
  const b = d.bytes(P.requestId);
  try {
    return decodeAll(b, 'request ID', readRequestID);
  } catch (e) {
    throw new VMError('BadParams', (e as Error).message);
  }
}

export const blocklogContract = new NativeProcessor(CORE.blocklog, {
  [EP.blocklog.isRequestProcessed]: {
    view: true,
    fn: (ctx) => new Dict().set(P.processed, encBool(isRequestProcessed(coreAccess(ctx).buf, paramRequestId(ctx.params)))),
  },
  [EP.blocklog.getRequestReceipt]: {
    view: true,
    fn: (ctx) => {
      const r = readReceipt(coreAccess(ctx).buf, paramRequestId(ctx.params));
      if (!r) return new Dict();
      const d = new Dict().set('blockIndex', encU32(r.blockIndex)).set('indexInBlock', encU32(r.indexInBlock)).set(P.gasUsed, encU64(r.gasUsed)).set('ok', encBool(r.ok));
      if (r.error) d.set(P.error, utf8(`${r.error.kind}: ${r.error.message}`));
      return d;
    },
  },
});
