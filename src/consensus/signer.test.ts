import { describe, expect, it } from 'vitest';
import { SeededRng } from '../protocol';
import { blsSign, blsVerify } from '../crypto/bls';
import { combinePartials, partialSign, trustedDealerKeygen, type KeyShare } from '../crypto/threshold';
import { PreparedBls } from './bls-prepared';
import { blsThresholdSigner } from './signer';

// Real BLS (≈ 10–30 ms an operation in Node): few operations, each compared with the crypto layer's own.
describe('threshold signer with prepared keys and hashed messages', () => {
  const keys = trustedDealerKeygen(4, 3, new SeededRng(11));
  const msg = new Uint8Array(200).fill(5);
  const other = new Uint8Array(200).fill(6);

  it('signs exactly what crypto partialSign signs, and its master check agrees with blsVerify', () => {
    const signers = keys.map((k) => blsThresholdSigner(k));
    const partials = signers.map((s, i) => ({ index: i, signature: s.partialSign(msg) }));
    partials.forEach((p, i) => expect(p.signature).toEqual(partialSign(keys[i] as KeyShare, msg)));
    const master = (signers[0] as ReturnType<typeof blsThresholdSigner>).combine(partials);
    expect(master).toEqual(combinePartials(keys[0] as KeyShare, partials.slice(0, 3)));
    const s0 = signers[0] as ReturnType<typeof blsThresholdSigner>;
    expect(s0.verifyMaster(msg, master)).toBe(true);
    expect(blsVerify(s0.masterPublicKey, msg, master)).toBe(true);
    // The hashed-message memo must not mix messages up, and a wrong signature never passes.
    expect(s0.verifyMaster(other, master)).toBe(false);
    expect(s0.verifyMaster(msg, master)).toBe(true);
    expect(s0.verifyMaster(msg, partials[1]?.signature as Uint8Array)).toBe(false);
    expect(s0.verifyMaster(msg, new Uint8Array(48))).toBe(false);
    expect(s0.verifyMaster(msg, master.slice(1))).toBe(false);
  }, 60_000);

  it('PreparedBls.verify matches blsVerify on valid, wrong and malformed inputs (never throws)', () => {
    const v = new PreparedBls();
    const sk = new Uint8Array(32).fill(1);
    const sig = blsSign(sk, msg);
    const pk = (keys[0] as KeyShare).publicShares[0] as Uint8Array;
    const pk1 = keys[0]?.masterPublicKey as Uint8Array;
    const own = blsSign((keys[0] as KeyShare).privateShare, msg);
    const cases: [Uint8Array, Uint8Array, Uint8Array][] = [
      [pk, msg, own],
      [pk, other, own],
      [pk1, msg, own],
      [pk, msg, sig],
      [new Uint8Array(96), msg, own],
      [pk.slice(1), msg, own],
      [pk, msg, new Uint8Array(48).fill(0xff)],
    ];
    for (const [p, m, s] of cases) expect(v.verify(p, m, s)).toBe(blsVerify(p, m, s));
    expect(v.verify(pk, msg, own)).toBe(true); // again, from the caches
  }, 60_000);
});
