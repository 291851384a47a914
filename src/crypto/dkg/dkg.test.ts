import { describe, expect, it } from 'vitest';
import { SeededRng, utf8 } from '../../protocol';
import { blsVerify, randomScalar } from '../bls';
import { combinePartials, partialSign, assertKeyShareConsistent } from '../threshold';
import { DkgPhase, decodeEnvelope, sealEnvelope } from './messages';
import { forgeDeal, phaseOf, resign, rewriteDeal, rewriteJustification } from './testing/forge';
import { Pump, type PumpOptions, type Wire } from './testing/pump';

const MSG = utf8('origin transaction essence');

/** Every live honest member finished with the same master key; any T of them sign a valid master signature. */
function expectSuccess(p: Pump, honest: number[] = p.liveIndices()): void {
  for (const i of honest) expect(p.failed.get(i), `member ${i} failed`).toBeUndefined();
  const shares = honest.map((i) => p.done.get(i)!);
  expect(shares.every((s) => s !== undefined)).toBe(true);
  const mpk = shares[0]!.masterPublicKey;
  for (const s of shares) expect(s.masterPublicKey).toEqual(mpk);
  const t = shares[0]!.t;
  const signers = shares.slice(shares.length - t); // the last T honest members
  const sig = combinePartials(signers[0]!, signers.map((s) => ({ index: s.index, signature: partialSign(s, MSG) })));
  expect(blsVerify(mpk, MSG, sig)).toBe(true);
}

function run(opts: Partial<PumpOptions> & { n?: number; t?: number }): Pump {
  return new Pump({ n: 4, t: 3, seed: 1, phaseTimeoutMs: 1_000, ...opts }).run();
}

const isDeal = (w: Wire) => phaseOf(w) === DkgPhase.Deal;
const isJustification = (w: Wire) => phaseOf(w) === DkgPhase.Justification;

describe('DKG happy paths', () => {
  it('N=4, T=3: all agree, shares consistent, T partials sign', () => {
    const p = run({});
    expectSuccess(p);
    assertKeyShareConsistent(p.done.get(2)!);
    expect(p.members[0]!.result()!.qual).toEqual([0, 1, 2, 3]);
  });

  it('N=7, T=5 with duplicated and reordered messages', () => {
    const p = run({ n: 7, t: 5, seed: 2, jitterMs: 40, duplicateRate: 0.3 });
    expectSuccess(p);
    expect(p.members[0]!.result()!.qual.length).toBe(7);
  });

  it('delayed messages within the phase timeout still finish', () => {
    const p = run({ seed: 3, latencyMs: 300, jitterMs: 400 });
    expectSuccess(p);
  });
});

describe('DKG complaints and justifications', () => {
  it('inconsistent share to one member: complaint, justification resolves it, dealer stays', () => {
    const p = run({ tamper: (w, pump) => (w.from === 0 && w.to === 1 && isDeal(w) ? [forgeBadShare(pump, w)] : [w]) });
    expectSuccess(p);
    expect(p.members[1]!.result()!.qual).toContain(0);
  });

  it('inconsistent share plus a wrong justification: dealer disqualified by all', () => {
    const p = run({
      tamper: (w, pump) => {
        if (w.from === 0 && w.to === 1 && isDeal(w)) return [forgeBadShare(pump, w)];
        if (w.from === 0 && isJustification(w))
          return [rewriteJustification(pump, w, (j) => ({ ...j, shares: j.shares.map((s) => ({ ...s, share: flip(s.share) })) }))];
        return [w];
      },
    });
    expectSuccess(p, [1, 2, 3]);
    for (const i of [1, 2, 3]) expect(p.members[i]!.excluded.get(0)).toBe('unresolved-complaint');
  });

  it('garbage ciphertext: complaint, resolved by justification', () => {
    const p = run({
      tamper: (w, pump) => (w.from === 2 && w.to === 3 && isDeal(w) ? [rewriteDeal(pump, w, (d) => ({ ...d, ciphertext: new Uint8Array(48).fill(7) }))] : [w]),
    });
    expectSuccess(p);
    expect(p.members[3]!.result()!.qual).toContain(2);
  });

  it('dealer sends nothing to one member: resolved by justification', () => {
    const p = run({ tamper: (w) => (w.from === 1 && w.to === 0 && isDeal(w) ? [] : [w]) });
    expectSuccess(p);
    expect(p.members[0]!.result()!.qual).toEqual([0, 1, 2, 3]);
  });

  it('silent dealer (sends no deals, stays otherwise honest) is excluded from QUAL', () => {
    const p = run({ tamper: (w) => (w.from === 3 && isDeal(w) ? [] : [w]) });
    expectSuccess(p);
    for (const i of [0, 1, 2, 3]) expect(p.members[i]!.result()!.qual).toEqual([0, 1, 2]);
  });

  it('dealer with ≥ T complaints is excluded without a justification round', () => {
    const p = run({ tamper: (w, pump) => (w.from === 0 && isDeal(w) ? [forgeBadShare(pump, w)] : [w]) });
    expectSuccess(p);
    for (const i of [1, 2, 3]) expect(p.members[i]!.excluded.get(0)).toBe('too-many-complaints');
  });

  it('false complaint fails: the dealer justifies and stays', () => {
    const p = run({
      tamper: (w, pump) => {
        if (w.from === 2 && phaseOf(w) === DkgPhase.Response) return [falseComplaint(pump, w, 1)];
        return [w];
      },
    });
    expectSuccess(p);
    for (const i of [0, 1, 2, 3]) expect(p.members[i]!.result()!.qual).toContain(1);
  });

  it('equivocating dealer (different commitments to different members) is excluded by all', () => {
    const rng = new SeededRng(77);
    const other = [randomScalar(rng), randomScalar(rng), randomScalar(rng)];
    const p = run({ tamper: (w, pump) => (w.from === 0 && w.to === 3 && isDeal(w) ? [forgeDeal(pump, 0, 3, other, rng)] : [w]) });
    expectSuccess(p, [1, 2, 3]);
    for (const i of [1, 2, 3]) expect(p.members[i]!.excluded.get(0)).toBe('equivocated');
  });

  it('commitments of the wrong degree are excluded', () => {
    const rng = new SeededRng(78);
    const coeffs = [randomScalar(rng), randomScalar(rng), randomScalar(rng), randomScalar(rng)]; // degree T, not T−1
    const p = run({ tamper: (w, pump) => (w.from === 0 && isDeal(w) ? [forgeDeal(pump, 0, w.to, coeffs, rng)] : [w]) });
    expectSuccess(p, [1, 2, 3]);
    for (const i of [1, 2, 3]) expect(p.members[i]!.result()!.qual).toEqual([1, 2, 3]);
  });

  it('commitments with an invalid point are excluded', () => {
    const p = run({
      tamper: (w, pump) =>
        w.from === 1 && isDeal(w)
          ? [rewriteDeal(pump, w, (d) => ({ ...d, commitments: Uint8Array.from(d.commitments, (b, k) => (k === 100 ? b ^ 1 : b)) }))]
          : [w],
    });
    expectSuccess(p, [0, 2, 3]);
    for (const i of [0, 2, 3]) expect(p.members[i]!.result()!.qual).toEqual([0, 2, 3]);
  });
});

describe('DKG message authentication', () => {
  it('forged or missing signatures are rejected (dealer then treated as silent to that member)', () => {
    const p = run({
      tamper: (w) => {
        if (w.from === 2 && w.to === 0 && isDeal(w)) {
          const b = w.bytes.slice();
          b[b.length - 1]! ^= 1; // corrupt the signature
          return [b, w.bytes.slice(0, w.bytes.length - 64)].map((bytes) => ({ ...w, bytes }));
        }
        return [w];
      },
    });
    expectSuccess(p);
    expect(p.members[0]!.rejections.some((r) => r.reason === 'bad signature')).toBe(true);
    expect(p.members[0]!.rejections.some((r) => r.reason.startsWith('undecodable'))).toBe(true);
  });

  it('messages from outside the committee and replays from another session are rejected', () => {
    const p = new Pump({ n: 4, t: 3, seed: 5, phaseTimeoutMs: 1_000 });
    const outsider = new SeededRng(9).bytes(32);
    const otherSession = new Uint8Array(32).fill(1);
    // outsider claims to be member 1 with its own key; a member's own key signs for another session
    p.inject({ from: 1, to: 0, bytes: sealEnvelope(outsider, p.sessionId, DkgPhase.Response, 1, new Uint8Array(3)) }, 1);
    p.inject({ from: 2, to: 0, bytes: sealEnvelope(p.nodeSecrets[2]!, otherSession, DkgPhase.Response, 2, new Uint8Array(3)) }, 1);
    p.inject({ from: 7, to: 0, bytes: new Uint8Array(10) }, 1);
    p.inject({ from: 3, to: 0, bytes: sealEnvelope(p.nodeSecrets[2]!, p.sessionId, DkgPhase.Response, 2, new Uint8Array(3)) }, 1);
    p.run();
    expectSuccess(p);
    const reasons = p.members[0]!.rejections.map((r) => r.reason);
    expect(reasons).toContain('bad signature');
    expect(reasons).toContain('another session');
    expect(reasons).toContain('sender outside the committee');
    expect(reasons).toContain('claims sender 2');
  });

  it('a replayed deal from another session does not count', () => {
    const first = new Pump({ n: 4, t: 3, seed: 6, phaseTimeoutMs: 1_000 });
    const captured: Wire[] = [];
    first.opts.tamper = (w) => {
      if (isDeal(w) && w.from === 1 && w.to === 0) captured.push(w);
      return [w];
    };
    first.run();
    // Same keys, new session: replace member 1's deal to member 0 with the old one.
    const second = new Pump({ n: 4, t: 3, seed: 6, phaseTimeoutMs: 1_000, sessionId: new Uint8Array(32).fill(9), tamper: (w) => (isDeal(w) && w.from === 1 && w.to === 0 ? captured : [w]) });
    second.run();
    expectSuccess(second);
    expect(second.members[0]!.rejections.map((r) => r.reason)).toContain('another session');
  });
});

describe('DKG crashes and too many faults', () => {
  it('a member crashing mid-protocol: the rest finish (≥ T live)', () => {
    const p = new Pump({ n: 4, t: 3, seed: 7, phaseTimeoutMs: 1_000 });
    p.opts.tamper = (w, pump) => {
      if (w.from === 3 && phaseOf(w) === DkgPhase.Response) pump.crash(3); // dies while broadcasting its response
      return [w];
    };
    p.run();
    expectSuccess(p, [0, 1, 2]);
  });

  it('N=7, T=5: two members absent from the start still gives a key', () => {
    const p = run({ n: 7, t: 5, seed: 8, absent: [5, 6] });
    expectSuccess(p);
    expect(p.members[0]!.result()!.qual).toEqual([0, 1, 2, 3, 4]);
  });

  it('more than N−T faulty (absent): aborts cleanly with a reason, no key', () => {
    const p = run({ seed: 9, absent: [2, 3] });
    expect(p.done.size).toBe(0);
    for (const i of [0, 1]) expect(p.failed.get(i)).toMatch(/QUAL has 2 dealers, fewer than T=3/);
  });

  it('more than N−T crash after dealing: aborts at confirmation, no key', () => {
    const p = new Pump({ n: 4, t: 3, seed: 10, phaseTimeoutMs: 1_000 });
    p.opts.tamper = (w, pump) => {
      if ((w.from === 2 || w.from === 3) && phaseOf(w) === DkgPhase.Confirmation) {
        pump.crash(w.from);
        return [];
      }
      return [w];
    };
    p.run();
    expect(p.done.size).toBe(0);
    for (const i of [0, 1]) expect(p.failed.get(i)).toMatch(/only 2 of the needed T=3/);
  });
});

// ---- tamper helpers ----

function flip(b: Uint8Array): Uint8Array {
  const c = b.slice();
  c[31]! ^= 1;
  return c;
}

/** Keeps the dealer's commitments and signature but encrypts a share off the polynomial. */
function forgeBadShare(pump: Pump, w: Wire): Wire {
  return rewriteDeal(pump, w, (d) => ({
    ...d,
    ciphertext: sealBad(pump, w),
  }));
}
function sealBad(pump: Pump, w: Wire): Uint8Array {
  // Any 32-byte value that decrypts fine but is (with overwhelming probability) not f(to+1).
  return sealShareForTest(pump, w.from, w.to, new Uint8Array(32).fill(3));
}
import { sealShare } from './seal';
function sealShareForTest(pump: Pump, dealer: number, recipient: number, share: Uint8Array): Uint8Array {
  return sealShare(share, pump.nodePublics[recipient]!, pump.sessionId, dealer, recipient, new SeededRng(dealer * 31 + recipient));
}

import { decodeResponse, encodeResponse, EchoStatus } from './messages';
function falseComplaint(pump: Pump, w: Wire, against: number): Wire {
  const r = decodeResponse(decodeEnvelope(w.bytes).body);
  r.echoes[against] = { ...r.echoes[against]!, status: EchoStatus.Complaint };
  return resign(pump, w, encodeResponse(r));
}
