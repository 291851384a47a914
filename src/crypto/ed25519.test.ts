import { describe, expect, it } from 'vitest';
import { SeededRng } from '../protocol';
import { ed25519KeyPairFromSeed, ed25519Sign, ed25519SignNoble, ed25519VerifyNoble } from './ed25519';

describe('ed25519 signing', () => {
  it('node:crypto (used in Node) and @noble (the browser) give the same signature bytes, and they verify', () => {
    const rng = new SeededRng(7);
    for (let i = 0; i < 64; i++) {
      const kp = ed25519KeyPairFromSeed(rng.bytes(32));
      const msg = rng.bytes(i * 7);
      const sig = ed25519Sign(kp, msg);
      expect(sig).toEqual(ed25519SignNoble(kp, msg));
      expect(ed25519VerifyNoble(kp.publicKey, msg, sig)).toBe(true);
    }
  });
});
