import { describe, expect, it } from 'vitest';
import { AddressKind, addressFromPublicKey, requestIDToString, type RequestID } from '../protocol';
import { VirtualState, VirtualStateBuffer } from '../state/vstate';
import { writeReceipt } from '../vm/core/blocklog';
import { NotProcessedError, waitProcessed, type PollClock } from './wait-processed';
import { l1WatchMessages } from './l1-watch';

const chain = addressFromPublicKey(AddressKind.BLS, new Uint8Array(96).fill(1));
const rid = (i: number): RequestID => ({ txId: new Uint8Array(32).fill(7), index: i });

/** Virtual time: sleeping advances it and runs what the test scheduled for that moment (no real waiting). */
function virtualClock(atMs: Map<number, () => void> = new Map()): PollClock & { slept: number[] } {
  let now = 1_000;
  const slept: number[] = [];
  return {
    slept,
    nowMs: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
      for (const [t, fn] of atMs) if (t <= now) (atMs.delete(t), fn());
    },
  };
}

describe('waitProcessed (shared by the worker and the CLI)', () => {
  it('resolves with the receipts in request order once every one is in the solid state', async () => {
    const st = new VirtualStateBuffer(VirtualState.origin());
    let visible: VirtualStateBuffer | null = null;
    // No state at first (chain still syncing), then one receipt, then the other.
    const clock = virtualClock(
      new Map([
        [1_050, () => ((visible = st), writeReceipt(st, { requestId: rid(1), ok: true, gasUsed: 1n, blockIndex: 2, indexInBlock: 0 }))],
        [1_100, () => writeReceipt(st, { requestId: rid(0), ok: false, error: { kind: 'Panic', message: 'boom' }, gasUsed: 1n, blockIndex: 3, indexInBlock: 0 })],
      ]),
    );
    const receipts = await waitProcessed({ solidState: () => visible }, chain, [rid(0), rid(1)], { clock, timeoutMs: 5_000, pollMs: 25 });
    expect(receipts.map((r) => [r.requestId.index, r.blockIndex, r.ok])).toEqual([
      [0, 3, false],
      [1, 2, true],
    ]);
    expect(clock.slept).toEqual([25, 25, 25, 25]);
  });

  it('times out on the injected clock, naming only the requests still missing', async () => {
    const st = new VirtualStateBuffer(VirtualState.origin());
    writeReceipt(st, { requestId: rid(0), ok: true, gasUsed: 1n, blockIndex: 2, indexInBlock: 0 });
    const clock = virtualClock();
    const err = await waitProcessed({ solidState: () => st }, chain, [rid(0), rid(1)], { clock, timeoutMs: 1_000, pollMs: 100 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotProcessedError);
    const e = err as NotProcessedError;
    expect(e.missing.map(requestIDToString)).toEqual([requestIDToString(rid(1))]);
    expect(e.message).toBe(`request ${requestIDToString(rid(1))} not processed within 1 s`);
    expect(clock.slept.length).toBe(10);
  });
});

describe('l1WatchMessages (re-subscribe after a new hub session)', () => {
  it('subscribes and asks for outputs, per address, in order', () => {
    const other = addressFromPublicKey(AddressKind.BLS, new Uint8Array(96).fill(2));
    expect(l1WatchMessages([chain, other]).map((m) => [m.kind, 'address' in m ? m.address : undefined])).toEqual([
      ['waspToNodeSubscribe', chain],
      ['waspToNodeGetOutputs', chain],
      ['waspToNodeSubscribe', other],
      ['waspToNodeGetOutputs', other],
    ]);
    expect(l1WatchMessages([])).toEqual([]);
  });
});
