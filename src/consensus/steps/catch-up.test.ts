import { describe, expect, it } from 'vitest';
import type { ConsensusMsg } from '../messages';
import { CONSENSUS_PARAMS } from '../params';
import { leaderAt, leaderPermutation } from '../permutation';
import { newRound, toComputing } from '../round';
import { contextHash } from '../context';
import { judgeCatchUp } from './catch-up';
import { NOW, stepsFixture } from './steps.fixture';

const HOLD = 500;

function setup(loadRequests = true) {
  const f = stepsFixture({ loadRequests });
  const permutation = leaderPermutation(f.base.anchorTxId, 4);
  const me = leaderAt(permutation, 1);
  const round = newRound({ ...f.ctx().round, leaderPos: 0 }, leaderAt(permutation, 0), NOW, null);
  /** The first position after 0 whose leader is (or is not) this node. */
  const pos = (mine: boolean): number => {
    for (let p = 1; ; p++) if ((leaderAt(permutation, p) === me) === mine) return p;
  };
  const seat = { me, n: 4, permutation, struck: new Set<number>(), holdMs: HOLD };
  const later = NOW + HOLD;
  const contextAt = (p: number, over = {}): ConsensusMsg => f.ctx({ round: { ...f.ctx().round, leaderPos: p }, timestamp: BigInt(later) * 1_000_000n, ...over });
  const notifyAt = (p: number): ConsensusMsg => ({ kind: 'requestNotification', round: { ...f.ctx().round, leaderPos: p }, requestIds: f.requestIds });
  return { f, permutation, me, round, pos, seat, later, contextAt, notifyAt };
}

describe('catch-up: judgeCatchUp', () => {
  it('follows a valid context from the later position’s leader, and a notification to this node as that position’s leader', () => {
    const s = setup();
    const p = s.pos(false);
    expect(judgeCatchUp(s.round, leaderAt(s.permutation, p), s.contextAt(p), s.seat, s.f.view, s.later)).toEqual({ follow: true, byContext: true });
    const q = s.pos(true);
    const member = [0, 1, 2, 3].find((i) => i !== s.me)!;
    expect(judgeCatchUp(s.round, member, s.notifyAt(q), s.seat, s.f.view, s.later)).toEqual({ follow: true, byContext: false });
  });

  it('does not follow: before the hold, too far ahead, out of a decided round, a struck member or its own mover, a context from another member', () => {
    const s = setup();
    const p = s.pos(false);
    const leader = leaderAt(s.permutation, p);
    const no = { follow: false };
    expect(judgeCatchUp(s.round, leader, s.contextAt(p), s.seat, s.f.view, s.later - 1)).toEqual(no);
    const far = p + 4 * CONSENSUS_PARAMS.catchUpRotationsMax;
    expect(judgeCatchUp(s.round, leaderAt(s.permutation, far), s.contextAt(far), s.seat, s.f.view, s.later)).toEqual(no);
    const msg = s.f.ctx();
    const decided = toComputing(s.round, { msg, hash: contextHash(msg), batch: [], strays: [] }, NOW);
    expect(judgeCatchUp(decided, leader, s.contextAt(p), s.seat, s.f.view, s.later)).toEqual(no);
    expect(judgeCatchUp(s.round, leader, s.contextAt(p), { ...s.seat, struck: new Set([leader]) }, s.f.view, s.later)).toEqual(no);
    expect(judgeCatchUp({ ...s.round, movedBy: leader }, leader, s.contextAt(p), s.seat, s.f.view, s.later)).toEqual(no);
    const other = [0, 1, 2, 3].find((i) => i !== leader && i !== s.me)!;
    expect(judgeCatchUp(s.round, other, s.contextAt(p), s.seat, s.f.view, s.later)).toEqual(no);
  });

  it('an invalid context is named (evidence, not followed); one naming requests not loaded here is only not followed', () => {
    const s = setup();
    const p = s.pos(false);
    const leader = leaderAt(s.permutation, p);
    expect(judgeCatchUp(s.round, leader, s.contextAt(p, { requestIds: [] }), s.seat, s.f.view, s.later)).toEqual({ follow: false, invalidContext: 'empty batch' });
    const u = setup(false);
    expect(judgeCatchUp(u.round, leader, u.contextAt(p), u.seat, u.f.view, u.later)).toEqual({ follow: false });
    // Nor does a notification naming only requests not loaded (nothing to lead).
    expect(judgeCatchUp(u.round, [0, 1, 2, 3].find((i) => i !== u.me)!, u.notifyAt(u.pos(true)), u.seat, u.f.view, u.later)).toEqual({ follow: false });
  });
});
