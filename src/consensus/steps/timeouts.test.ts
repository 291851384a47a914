import { describe, expect, it } from 'vitest';
import { contextHash } from '../context';
import { CONSENSUS_PARAMS } from '../params';
import { newRound, toComputing, toWaitingAnchor } from '../round';
import { NOW, stepsFixture } from './steps.fixture';
import { notification } from './notify';
import { expiredStage, scaledTimeouts } from './timeouts';

const TO = { leaderProposalMs: 1_000, resultsMs: 1_500, anchorConfirmMs: 2_000, resendMs: 300, inclusionPollMs: 200 };

describe('timeouts: scaledTimeouts and expiredStage', () => {
  it('stage timeouts grow per full rotation of the permutation, up to roundTimeoutGrowthMax', () => {
    expect(scaledTimeouts(TO, 3, 4)).toBe(TO);
    expect(scaledTimeouts(TO, 4, 4)).toMatchObject({ leaderProposalMs: 2_000, resultsMs: 3_000, anchorConfirmMs: 4_000, resendMs: 300 });
    expect(scaledTimeouts(TO, 4 * 1_000, 4).leaderProposalMs).toBe(1_000 * CONSENSUS_PARAMS.roundTimeoutGrowthMax);
  });

  it('each stage rotates the leader after its own timeout; an idle collecting round never does', () => {
    const f = stepsFixture();
    const r = newRound(f.ctx().round, 0, NOW, null);
    expect(expiredStage(r, NOW + 999, TO, false)).toBeNull();
    expect(expiredStage(r, NOW + 1_000, TO, false)).toMatch(/No computation context from the leader within 1000 ms/);
    expect(expiredStage(r, NOW + 10_000, TO, true)).toBeNull();
    const msg = f.ctx();
    const c = toComputing(r, { msg, hash: contextHash(msg), batch: [], strays: [] }, NOW);
    expect(expiredStage(c, NOW + 1_499, TO, false)).toBeNull();
    expect(expiredStage(c, NOW + 1_500, TO, false)).toMatch(/No anchor for the context within 1500 ms/);
    const a = toWaitingAnchor(c, new Uint8Array(32), NOW + 100, NOW + 100);
    expect(expiredStage(a, NOW + 2_099, TO, false)).toBeNull();
    expect(expiredStage(a, NOW + 2_100, TO, false)).toMatch(/Anchor not confirmed within 2000 ms/);
  });
});

describe('step 2: notification', () => {
  it('names the ready requests (at most notificationRequestsMax) to the leader, nothing when none is ready', () => {
    const f = stepsFixture({ requests: 2 });
    const ready = f.backlog.requests();
    expect(notification(f.ctx().round, ready)).toEqual({ kind: 'requestNotification', round: f.ctx().round, requestIds: ready.map((q) => q.id) });
    expect(notification(f.ctx().round, [])).toBeNull();
    const many = Array.from({ length: CONSENSUS_PARAMS.notificationRequestsMax + 5 }, () => ready[0]!);
    expect(notification(f.ctx().round, many)?.requestIds).toHaveLength(CONSENSUS_PARAMS.notificationRequestsMax);
  });
});
