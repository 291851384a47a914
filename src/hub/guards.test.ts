import { describe, expect, it } from 'vitest';
import { multiaddr } from '@multiformats/multiaddr';
import { normalizeIp, PendingTable, socketKeyOf } from './ws-guard';
import { reservationDenied } from './relay-guard';
import { HubConfigError, originAllowed, originAllowlist, parseHubArgs } from './config';
import { HUB_LIMITS, hubLimits } from './limits';

describe('PendingTable', () => {
  it('caps per IP and in total, and release frees exactly one slot', () => {
    const t = new PendingTable({ totalMax: 5, perIpMax: 3 });
    expect([1, 2, 3, 4].map(() => t.admit('10.0.0.1'))).toEqual(['ok', 'ok', 'ok', 'perIp']);
    expect(t.admit('10.0.0.2')).toBe('ok');
    expect(t.admit('10.0.0.2')).toBe('ok');
    expect(t.admit('10.0.0.3')).toBe('total');
    expect(t.total).toBe(5);
    t.release('10.0.0.1');
    expect(t.count('10.0.0.1')).toBe(2);
    expect(t.admit('10.0.0.3')).toBe('ok');
    t.release('never-admitted');
    expect(t.total).toBe(5);
  });
});

describe('socket keys', () => {
  it('host|port of a WebSocket multiaddr; none for circuit addresses; IPv4-mapped IPv6 is IPv4', () => {
    expect(socketKeyOf(multiaddr('/ip4/127.0.0.1/tcp/4001/ws'))).toEqual({ host: '127.0.0.1', key: '127.0.0.1|4001' });
    expect(socketKeyOf(multiaddr('/ip4/127.0.0.1/tcp/4001/ws/p2p/12D3KooWGzxzKZYveHXtpG6AsrUJBcWxHBFS2HsEoGTxrMLvKXtf/p2p-circuit'))).toBeUndefined();
    expect(normalizeIp('::ffff:127.0.0.2')).toBe('127.0.0.2');
    expect(normalizeIp('::1')).toBe('::1');
  });
});

describe('relay reservations per IP', () => {
  it('denies a new reservation at the cap, never a refresh, and one without a direct socket', () => {
    const held = ['127.0.0.1', '127.0.0.1', '10.0.0.9'];
    expect(reservationDenied(held, '127.0.0.1', false, 3)).toBe(false);
    expect(reservationDenied([...held, '127.0.0.1'], '127.0.0.1', false, 3)).toBe(true);
    expect(reservationDenied([...held, '127.0.0.1'], '127.0.0.1', true, 3)).toBe(false);
    expect(reservationDenied([...held, '127.0.0.1'], '10.0.0.9', false, 3)).toBe(false);
    expect(reservationDenied([], undefined, false, 3)).toBe(true);
  });
});

describe('Origin allowlist', () => {
  it("the hub's own origin, the Vite dev origin and configured ones; no Origin allowed; null and others refused", () => {
    const allow = originAllowlist(8080, ['https://demo.example']);
    for (const o of [undefined, 'http://127.0.0.1:8080', 'http://localhost:8080', 'http://localhost:5173', 'https://demo.example']) expect(originAllowed(allow, o)).toBe(true);
    for (const o of ['null', 'http://127.0.0.1:8081', 'http://evil.example', 'http://127.0.0.1:8080/']) expect(originAllowed(allow, o)).toBe(false);
  });

  it('--allow-origin and ISCP_ALLOWED_ORIGINS take exact origins only', () => {
    expect(parseHubArgs(['--allow-origin', 'http://a.example:3000', '--allow-origin', 'https://b.example'], { ISCP_ALLOWED_ORIGINS: 'http://c.example, http://d.example:1' }).allowedOrigins).toEqual([
      'http://c.example',
      'http://d.example:1',
      'http://a.example:3000',
      'https://b.example',
    ]);
    expect(() => parseHubArgs(['--allow-origin', 'http://a.example/path'], {})).toThrow(HubConfigError);
    expect(() => parseHubArgs(['--allow-origin', 'not a url'], {})).toThrow(/not an origin/);
    expect(() => parseHubArgs([], { ISCP_ALLOWED_ORIGINS: 'file:///x' })).toThrow(HubConfigError);
    expect(parseHubArgs([], {}).allowedOrigins).toEqual([]);
  });
});

describe('hub limits', () => {
  it('overrides merge, nodeconnStream field by field', () => {
    const l = hubLimits({ wsPendingPerIpMax: 2, nodeconnStream: { idleMs: 5 } });
    expect(l.wsPendingPerIpMax).toBe(2);
    expect(l.wsPendingMax).toBe(HUB_LIMITS.wsPendingMax);
    expect(l.nodeconnStream.idleMs).toBe(5);
    expect(l.nodeconnStream.partialFrameMs).toBe(HUB_LIMITS.nodeconnStream.partialFrameMs);
    // a per-IP cap never exceeds its total
    expect(HUB_LIMITS.wsPendingPerIpMax).toBeLessThan(HUB_LIMITS.wsPendingMax);
    expect(HUB_LIMITS.relayReservationsPerIpMax).toBeLessThan(HUB_LIMITS.relayReservationsMax);
  });
});
