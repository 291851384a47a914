/**
 * Threshold BLS and DKG costs on @noble/curves (one core, Node): sign, verify, partial verify (plain and with
 * prepared public shares), combine, batch vs individual partial verification, and a whole in-process DKG.
 * Kept under ~60 s: few runs per figure (each op is milliseconds), DKG once per committee size.
 */
import { SeededRng, utf8 } from '../src/protocol';
import { blsSign, blsVerify } from '../src/crypto/bls';
import { combinePartials, partialSign, prepareCommitteeKeys, trustedDealerKeygen, verifyPartial, verifyPartialsBatch } from '../src/crypto/threshold';
import { Pump } from '../src/crypto/dkg/testing/pump';
import { median, timeRuns, type BenchResult } from './types';

const SIZES: [number, number][] = [
  [4, 3],
  [7, 5],
  [16, 11],
];
const BUDGET_MS = 400;

export default async function cryptoBench(): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  const msg = utf8('anchor transaction essence for the bench');
  const rng = new SeededRng(1);
  const ms = (name: string, runs: number[], parameters: Record<string, number | string> = {}) =>
    out.push({ name, value: median(runs), unit: 'ms', parameters });

  const [one] = trustedDealerKeygen(1, 1, rng);
  const sig = blsSign(one!.privateShare, msg);
  ms('bls sign', await timeRuns(() => blsSign(one!.privateShare, msg), BUDGET_MS, 3));
  ms('bls verify', await timeRuns(() => blsVerify(one!.masterPublicKey, msg, sig), BUDGET_MS, 3));

  for (const [n, t] of SIZES) {
    const p = { n, t };
    const shares = trustedDealerKeygen(n, t, rng);
    const keys = shares[0]!;
    const partials = shares.slice(0, t).map((s) => ({ index: s.index, signature: partialSign(s, msg) }));
    ms('partial verify (plain, decode + prepare each time)', await timeRuns(() => blsVerify(keys.publicShares[1]!, msg, partials[1]!.signature), BUDGET_MS, 3), p);
    prepareCommitteeKeys(keys);
    const individual = await timeRuns(() => partials.forEach((q) => verifyPartial(keys, q.index, msg, q.signature)), BUDGET_MS, 2);
    ms('partial verify (prepared public shares)', [median(individual) / t], p);
    ms(`verify T partials individually`, individual, p);
    const batch = await timeRuns(() => verifyPartialsBatch(keys, msg, partials, rng), BUDGET_MS, 2);
    ms(`verify T partials batched`, batch, p);
    out.push({ name: 'batch / individual time ratio', value: median(batch) / median(individual), unit: 'x', parameters: p });
    ms('combine T partials', await timeRuns(() => combinePartials(keys, partials), BUDGET_MS, 3), p);

    const t0 = performance.now();
    const pump = new Pump({ n, t, seed: n, phaseTimeoutMs: 60_000 }).run();
    const total = performance.now() - t0;
    if (pump.done.size !== n) throw new Error(`bench DKG N=${n} did not finish: ${[...pump.failed.values()].join('; ')}`);
    out.push({ name: 'DKG total CPU (all members, in-process pump)', value: total, unit: 'ms', parameters: p });
    out.push({ name: 'DKG CPU per member', value: total / n, unit: 'ms', parameters: p });
  }
  return out;
}
