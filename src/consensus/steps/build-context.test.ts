import { describe, expect, it } from 'vitest';
import { AddressKind, balancesOf, COLOR_IOTA, requestIDKey } from '../../protocol';
import { buildContext } from './build-context';
import { NOW, stepsFixture } from './steps.fixture';
import { validateContext } from './validate-context';

const seat = { me: 0, t: 3, rewardAddress: { kind: AddressKind.Ed25519, digest: new Uint8Array(32).fill(9) } };
const keysOf = (ids: readonly { txId: Uint8Array; index: number }[]) => new Set(ids.map(requestIDKey));

describe('steps 3–5 (leader): buildContext', () => {
  it('proposes nothing until T−1 members reported, or when no request is ready here', () => {
    const f = stepsFixture();
    const ready = f.backlog.requests();
    const one = new Map([[1, keysOf(f.requestIds)]]);
    expect(buildContext({ id: f.ctx().round, notifications: one }, ready, f.view, seat, NOW)).toBeNull();
    const two = new Map([...one, [2, keysOf(f.requestIds)]]);
    expect(buildContext({ id: f.ctx().round, notifications: two }, [], f.view, seat, NOW)).toBeNull();
  });

  it('batches the requests a quorum saw, ordered, with the leader’s timestamp and reward address: a context members accept', () => {
    const f = stepsFixture({ requests: 3 });
    const [a, b, c] = f.requestIds;
    // Members 1 and 2 saw a and b; member 3 saw only c: {0,1,2} is a quorum for a and b, nobody but 0 and 3 for c.
    const notifications = new Map([[1, keysOf([a!, b!])], [2, keysOf([b!, a!])], [3, keysOf([c!])]]);
    const p = buildContext({ id: f.ctx().round, notifications }, f.backlog.requests(), f.view, seat, NOW);
    expect(p?.msg.requestIds).toEqual([a, b]);
    expect(p?.batch.map((q) => q.key)).toEqual([a, b].map((x) => requestIDKey(x!)));
    expect(p?.msg).toMatchObject({ kind: 'computationContext', round: f.ctx().round, timestamp: BigInt(NOW) * 1_000_000n, rewardAddress: seat.rewardAddress });
    expect(p?.msg.strayTxIds).toBeUndefined();
    expect(validateContext(p!.msg, f.view, NOW)).toBeNull();
  });

  it('takes a timestamp after the state’s even when the leader’s clock is behind it', () => {
    const f = stepsFixture();
    const notifications = new Map([[1, keysOf(f.requestIds)], [2, keysOf(f.requestIds)]]);
    const p = buildContext({ id: f.ctx().round, notifications }, f.backlog.requests(), f.view, seat, 0);
    expect(p?.msg.timestamp).toBe(f.base.state.timestamp + 1n);
  });

  it('names the strays it sees, by tx ID, to ride along', () => {
    const s1 = { txId: new Uint8Array(32).fill(0x21), balances: balancesOf([[COLOR_IOTA, 5n]]) };
    const s0 = { txId: new Uint8Array(32).fill(0x20), balances: balancesOf([[COLOR_IOTA, 7n]]) };
    const f = stepsFixture({ strays: [s1, s0] });
    const notifications = new Map([[1, keysOf(f.requestIds)], [2, keysOf(f.requestIds)]]);
    const p = buildContext({ id: f.ctx().round, notifications }, f.backlog.requests(), f.view, seat, NOW);
    expect(p?.msg.strayTxIds).toEqual([s0.txId, s1.txId]);
  });
});
