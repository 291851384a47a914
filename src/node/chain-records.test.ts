import { describe, expect, it } from 'vitest';
import { addressFromPublicKey, AddressKind } from '../protocol/ids';
import { DecodeError } from '../protocol/errors';
import { decodePeerFrame, encodePeerFrame, type ChainRecordMsg } from '../chain/wire';
import { ChainRecordAsks, CHAIN_RECORD_LIMITS } from './chain-records';

const chain = (b: number) => addressFromPublicKey(AddressKind.Ed25519, new Uint8Array(32).fill(b));
const id = (b: number) => b.toString(16).padStart(2, '0').repeat(32);
const record: ChainRecordMsg = { chainColor: new Uint8Array(32).fill(9), committeeNodeIds: [id(1), id(2), id(3), id(4)], t: 3 };

describe('chain record (what a node running a chain tells a client that knows only its ID)', () => {
  it('round-trips on the wire; a record with an impossible committee is a DecodeError', () => {
    const f = decodePeerFrame(encodePeerFrame({ channel: 'sync', chain: chain(1), msg: { kind: 'chainRecord', ...record } }));
    expect(f).toEqual({ channel: 'sync', chain: chain(1), msg: { kind: 'chainRecord', ...record } });
    expect(decodePeerFrame(encodePeerFrame({ channel: 'sync', chain: chain(1), msg: { kind: 'chainRecordRequest' } })).channel).toBe('sync');
    for (const bad of [{ ...record, t: 5 }, { ...record, t: 0 }, { ...record, committeeNodeIds: [] }]) {
      expect(() => decodePeerFrame(encodePeerFrame({ channel: 'sync', chain: chain(1), msg: { kind: 'chainRecord', ...bad } }))).toThrow(DecodeError);
    }
    const bytes = encodePeerFrame({ channel: 'sync', chain: chain(1), msg: { kind: 'chainRecord', ...record } });
    expect(() => decodePeerFrame(bytes.subarray(0, bytes.length - 1))).toThrow(DecodeError);
  });

  it('keeps only the first answer of each asked peer, for chains it asked about, and a bounded number of asks', () => {
    const asks = new ChainRecordAsks();
    expect(asks.onAnswer(id(1), chain(1), record)).toBe(false); // nobody asked
    asks.ask(chain(1), [id(1), id(2)]);
    expect(asks.onAnswer(id(3), chain(1), record)).toBe(false); // not asked
    expect(asks.onAnswer(id(1), chain(2), record)).toBe(false); // not about that chain
    expect(asks.onAnswer(id(1), chain(1), record)).toBe(true);
    expect(asks.onAnswer(id(1), chain(1), { ...record, t: 4 })).toBe(false); // one answer per peer
    expect(asks.answers(chain(1))).toEqual([{ from: id(1), record }]);
    for (let i = 0; i < CHAIN_RECORD_LIMITS.asksMax; i++) asks.ask(chain(10 + i), [id(1)]);
    expect(asks.answers(chain(1))).toEqual([]); // the oldest ask was forgotten
    expect(asks.onAnswer(id(2), chain(1), record)).toBe(false);
  });
});
