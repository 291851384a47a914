import { createServer } from 'node:net';

/**
 * A loopback port the OS says is free now: bound to port 0, read, released. A caller that binds it a moment later
 * may still lose a race (that fails loudly at its start); a test that wants a port nothing listens on uses it as is.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}
