import { equalBytes, toHex } from '../../protocol';
import type { EvidenceKind } from '../evidence';
import type { ResultAndPartialSigMsg } from '../messages';
import type { MyResult } from '../round';

export type ResultVerdict =
  | { readonly verdict: 'accept' }
  /** Proof against the member (spec step 10: "this is proof of that fact"); its result is ignored. */
  | { readonly verdict: 'culprit'; readonly kind: Extract<EvidenceKind, 'wrongContextHash' | 'wrongResultHash'>; readonly detail: string };

/**
 * Step 10 on the leader: a member's result against the leader's own. A different context hash means it answered
 * another context; the same context with a different result hash means it computed (or claims) another result.
 * The partial signature is not checked here: step 11 (finalize) checks it only if the combination fails.
 */
export function judgeResult(mine: MyResult, msg: ResultAndPartialSigMsg): ResultVerdict {
  if (!equalBytes(msg.contextHash, mine.ctxHash)) {
    return { verdict: 'culprit', kind: 'wrongContextHash', detail: `answered context ${toHex(msg.contextHash).slice(0, 16)}, leader sent ${toHex(mine.ctxHash).slice(0, 16)}` };
  }
  if (!equalBytes(msg.resultHash, mine.resultHash)) {
    return { verdict: 'culprit', kind: 'wrongResultHash', detail: `result ${toHex(msg.resultHash).slice(0, 16)} differs from the leader's ${toHex(mine.resultHash).slice(0, 16)}` };
  }
  return { verdict: 'accept' };
}
