import { describe, expect, it } from 'vitest';
import { HUB_DEFAULTS, parseHubArgs } from './config';
import { preferHubHost } from '../net/node-net';

describe('hub --host (the interface it listens on)', () => {
  it('defaults to loopback; --host or ISCP_HOST picks another IPv4 interface; anything else is refused', () => {
    expect(parseHubArgs([], {}).host).toBe(HUB_DEFAULTS.host);
    expect(parseHubArgs(['--host', '0.0.0.0'], {}).host).toBe('0.0.0.0');
    expect(parseHubArgs([], { ISCP_HOST: '192.168.1.10' }).host).toBe('192.168.1.10');
    expect(() => parseHubArgs(['--host', 'example.org'], {})).toThrow(/--host 'example.org': give an IPv4 address/);
    expect(() => parseHubArgs(['--host', '300.1.1.1'], {})).toThrow(/IPv4/);
    expect(() => parseHubArgs(['--host'], {})).toThrow(/--host needs a value/);
  });

  it('a node dials the hub address on the host it reached the hub by (a 0.0.0.0 hub lists loopback first)', () => {
    const addrs = ['/ip4/127.0.0.1/tcp/8081/ws/p2p/X', '/ip4/192.168.1.10/tcp/8081/ws/p2p/X'];
    expect(preferHubHost(addrs, 'http://192.168.1.10:8080')[0]).toBe(addrs[1]);
    expect(preferHubHost(addrs, 'http://127.0.0.1:8080')).toEqual(addrs);
    expect(preferHubHost(addrs, 'http://other:8080')).toEqual(addrs);
  });
});
