import { describe, expect, it } from 'vitest';
import type { ThresholdSigner } from '../consensus/signer';
import { ByzantineSwitch } from './byzantine';

/** A signer that "signs" by echoing the bytes, so the test sees what would be signed. */
const echoSigner: ThresholdSigner = {
  n: 4,
  t: 3,
  index: 1,
  masterPublicKey: new Uint8Array(0),
  partialSign: (m) => m,
  verifyPartial: () => true,
  combine: () => new Uint8Array(0),
  verifyMaster: () => true,
};

describe('ByzantineSwitch', () => {
  it('signs the real bytes while honest and the wrong ones once switched to badPartialSig, and back', () => {
    const sw = new ByzantineSwitch();
    const s = sw.wrapSigner(echoSigner);
    expect(s.partialSign(Uint8Array.of(1, 2))).toEqual(Uint8Array.of(1, 2));
    sw.set('badPartialSig');
    expect(s.partialSign(Uint8Array.of(1, 2))).toEqual(Uint8Array.of(1, 2, 0xff));
    sw.set(null);
    expect(s.partialSign(Uint8Array.of(1, 2))).toEqual(Uint8Array.of(1, 2));
    expect([s.n, s.t, s.index, s.verifyPartial(0, new Uint8Array(0), new Uint8Array(0))]).toEqual([4, 3, 1, true]);
  });

  it('refuses a behaviour a tab cannot run', () => {
    const sw = new ByzantineSwitch();
    expect(() => sw.set('flood' as never)).toThrow(/unknown Byzantine/);
    expect(sw.kind).toBeNull();
  });
});
