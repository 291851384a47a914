import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ed25519 } from '@noble/curves/ed25519.js';
import { encodeFrame, FrameDecoder, FrameError } from './frames';
import { signBinding, verifyBinding } from './binding';
import { decodePresence, encodePresence, type Presence } from './presence';
import { decodePeeringFrame, encodePeeringFrame, PeeringFrameError } from './peering-frames';
import { afterIceMaxMs, dialNext, dialTimeoutMs, presenceDue, retryDelayMs } from './dial-policy';
import { NET_LIMITS } from './limits';

const sk = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const peerId = '12D3KooWTestPeer';

describe('frames', () => {
  it('reassembles frames from any chunking', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 50 }), { maxLength: 10 }), fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1 }), (payloads, cuts) => {
        const wire = new Uint8Array(payloads.reduce((n, p) => n + 4 + p.length, 0));
        let off = 0;
        for (const p of payloads) {
          wire.set(encodeFrame(p), off);
          off += 4 + p.length;
        }
        const dec = new FrameDecoder(1024);
        const out: Uint8Array[] = [];
        for (let i = 0, k = 0; i < wire.length; k++) {
          const step = cuts[k % cuts.length] as number;
          out.push(...dec.push(wire.subarray(i, i + step)));
          i += step;
        }
        expect(out).toEqual(payloads);
        expect(dec.pendingBytes).toBe(0);
      }),
    );
  });
  it('refuses a length above the bound before buffering it', () => {
    const dec = new FrameDecoder(10);
    expect(() => dec.push(encodeFrame(new Uint8Array(11)).subarray(0, 4))).toThrow(FrameError);
  });
});

describe('node binding', () => {
  it('verifies only for the exact peer ID and key', () => {
    const b = signBinding(sk, peerId);
    expect(b.nodeId).toBe(Buffer.from(ed25519.getPublicKey(sk)).toString('hex'));
    expect(verifyBinding(b)).toBe(true);
    expect(verifyBinding({ ...b, peerId: `${peerId}x` })).toBe(false);
    const other = signBinding(Uint8Array.from({ length: 32 }, () => 9), peerId);
    expect(verifyBinding({ ...b, nodeId: other.nodeId })).toBe(false);
    expect(verifyBinding({ ...b, nodeId: 'zz' })).toBe(false);
  });
});

describe('presence', () => {
  const b = signBinding(sk, peerId);
  const p: Presence = { v: 1, peerId, nodeId: b.nodeId, name: 'n1', multiaddrs: ['/ip4/127.0.0.1/tcp/1/ws'], signature: b.signature, sentAtMs: 1, incarnation: 'abc' };
  it('round-trips and checks sender and binding', () => {
    expect(decodePresence(encodePresence(p), peerId)).toEqual(p);
    expect(decodePresence(encodePresence(p), 'someone-else')).toBeUndefined();
    expect(decodePresence(encodePresence({ ...p, name: 'x'.repeat(65) }), peerId)).toBeUndefined();
    expect(decodePresence(new TextEncoder().encode('{not json'), peerId)).toBeUndefined();
    expect(decodePresence(encodePresence({ ...p, incarnation: '' }), peerId)).toBeUndefined();
    const forged = signBinding(Uint8Array.from({ length: 32 }, () => 7), 'other-peer');
    expect(decodePresence(encodePresence({ ...p, signature: forged.signature }), peerId)).toBeUndefined();
  });
});

describe('peering frames', () => {
  it('round-trips every kind and rejects garbage with a typed error', () => {
    const b = signBinding(sk, peerId);
    for (const f of [{ kind: 'hello', nodeId: b.nodeId, signature: b.signature }, { kind: 'data', data: Uint8Array.of(1, 2, 3) }, { kind: 'echo', seq: 7 }, { kind: 'echoReply', seq: 2 ** 32 - 1 }, { kind: 'directReset' }] as const) {
      expect(decodePeeringFrame(encodePeeringFrame(f))).toEqual(f);
    }
    expect(() => decodePeeringFrame(new Uint8Array(0))).toThrow(PeeringFrameError);
    expect(() => decodePeeringFrame(Uint8Array.of(9))).toThrow(PeeringFrameError);
    expect(() => decodePeeringFrame(Uint8Array.of(0, 1, 2))).toThrow(PeeringFrameError);
    expect(() => decodePeeringFrame(Uint8Array.of(4, 0))).toThrow(PeeringFrameError); // directReset carries nothing
  });
});

describe('dial policy', () => {
  it('cuts the first WebRTC attempt short, retries quickly twice, then backs off to a bound', () => {
    expect(dialTimeoutMs('webrtc', 1)).toBe(NET_LIMITS.webrtcDialTimeoutFirstMs);
    expect(dialTimeoutMs('webrtc', 2)).toBe(NET_LIMITS.webrtcDialTimeoutMs);
    expect(dialTimeoutMs('webrtc', 1)).toBeLessThan(dialTimeoutMs('webrtc', 5));
    expect(dialTimeoutMs('relayed', 1)).toBe(NET_LIMITS.relayedDialTimeoutMs);
    // A hang after ICE is cut short on the first two attempts only, and always well inside the dial timeout.
    expect(afterIceMaxMs(1)).toBe(NET_LIMITS.webrtcAfterIceMaxMs);
    expect(afterIceMaxMs(2)).toBe(2 * NET_LIMITS.webrtcAfterIceMaxMs);
    expect(afterIceMaxMs(3)).toBeUndefined();
    expect(2 * NET_LIMITS.webrtcAfterIceMaxMs).toBeLessThan(dialTimeoutMs('webrtc', 2));
    const delays = [1, 2, 3, 4, 5, 6, 20, 1000].map(retryDelayMs);
    expect(delays.slice(0, 2)).toEqual([NET_LIMITS.dialRetryQuickMs, NET_LIMITS.dialRetryQuickMs]);
    expect(delays[2]).toBe(NET_LIMITS.dialBackoffMs);
    expect([...delays].sort((a, b) => a - b)).toEqual(delays);
    expect(Math.max(...delays)).toBe(NET_LIMITS.dialBackoffMsMax);
  });

  it('announces presence fast while the mesh forms, at the steady interval after', () => {
    const start = 1_000_000;
    const fast = NET_LIMITS.presenceFastIntervalMs;
    const slow = NET_LIMITS.presenceIntervalMs;
    expect(presenceDue(start + 100, -Infinity, start, false)).toBe(true);
    expect(presenceDue(start + fast - 1, start, start, true)).toBe(false);
    expect(presenceDue(start + fast, start, start, true)).toBe(true); // just started
    const later = start + NET_LIMITS.presenceFastForMs + 1;
    expect(presenceDue(later + fast, later, start, false)).toBe(true); // a peer is missing
    expect(presenceDue(later + fast, later, start, true)).toBe(false); // mesh complete
    expect(presenceDue(later + slow, later, start, true)).toBe(true);
  });

  it('dial rule: relayed first, WebRTC by the smaller ID, by the larger after the grace period, and by whoever holds a passed turn', () => {
    const base = { myPeerId: 'A', peerId: 'B', kind: 'none' as const, nowMs: 1_000, firstSeenMs: 0, turn: undefined, bothWebRTC: true, directBlocked: false };
    expect(dialNext(base)).toBe('relayed');
    expect(dialNext({ ...base, kind: 'relayed' })).toBe('webrtc');
    expect(dialNext({ ...base, kind: 'direct' })).toBeNull();
    const larger = { ...base, myPeerId: 'C' };
    expect(dialNext(larger)).toBeNull();
    expect(dialNext({ ...larger, kind: 'relayed' })).toBeNull();
    expect(dialNext({ ...larger, kind: 'relayed', nowMs: NET_LIMITS.dialRuleGraceMs + 1 })).toBe('webrtc');
    // A failed attempt passes the turn: the larger ID dials now, the smaller waits, until the turn runs out.
    const turn = (who: 'mine' | 'theirs') => ({ who, untilMs: 5_000 });
    expect(dialNext({ ...larger, kind: 'relayed', turn: turn('mine') })).toBe('webrtc');
    expect(dialNext({ ...base, kind: 'relayed', turn: turn('theirs') })).toBeNull();
    expect(dialNext({ ...base, kind: 'relayed', turn: turn('theirs'), nowMs: 5_000 })).toBe('webrtc');
    // The relayed link is never held back by a turn; WebRTC only between two nodes that have it.
    expect(dialNext({ ...base, turn: turn('theirs') })).toBe('relayed');
    expect(dialNext({ ...base, kind: 'relayed', bothWebRTC: false })).toBeNull();
    expect(dialNext({ ...base, kind: 'relayed', directBlocked: true })).toBeNull();
  });
});
