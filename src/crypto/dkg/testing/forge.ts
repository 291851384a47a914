/** Test-only: build or rewrite DKG messages as a faulty member would (the tests hold every node key). */
import { ed25519 } from '@noble/curves/ed25519.js';
import { CURVE_ORDER, encodeScalar } from '../../bls';
import { evalPoly } from '../../poly';
import type { Rng } from '../../../protocol';
import { commit } from '../feldman';
import {
  DkgPhase,
  commitmentsDigest,
  decodeDeal,
  decodeEnvelope,
  decodeJustification,
  encodeDeal,
  encodeJustification,
  sealEnvelope,
  type DealBody,
  type JustificationBody,
} from '../messages';
import { sealShare } from '../seal';
import type { Pump, Wire } from './pump';

export function phaseOf(w: Wire): DkgPhase {
  return decodeEnvelope(w.bytes).phase;
}

/** Re-signs a message from `w.from` with a changed body. */
export function resign(pump: Pump, w: Wire, body: Uint8Array, phase?: DkgPhase): Wire {
  const env = decodeEnvelope(w.bytes);
  return { ...w, bytes: sealEnvelope(pump.nodeSecrets[w.from]!, pump.sessionId, phase ?? env.phase, w.from, body) };
}

export function rewriteDeal(pump: Pump, w: Wire, f: (d: DealBody) => DealBody): Wire {
  return resign(pump, w, encodeDeal(f(decodeDeal(decodeEnvelope(w.bytes).body))));
}

export function rewriteJustification(pump: Pump, w: Wire, f: (j: JustificationBody) => JustificationBody): Wire {
  return resign(pump, w, encodeJustification(f(decodeJustification(decodeEnvelope(w.bytes).body))));
}

/** A complete, self-consistent deal from `dealer` to `recipient` for the polynomial `coeffs` (+ `shareDelta`). */
export function forgeDeal(pump: Pump, dealer: number, recipient: number, coeffs: bigint[], rng: Rng, shareDelta = 0n): Wire {
  const commitments = commit(coeffs);
  const digest = commitmentsDigest(pump.sessionId, dealer, commitments);
  const share = encodeScalar((evalPoly(coeffs, BigInt(recipient + 1)) + shareDelta) % CURVE_ORDER);
  const ciphertext = sealShare(share, pump.nodePublics[recipient]!, pump.sessionId, dealer, recipient, rng);
  const body = encodeDeal({ recipient, commitments, commitmentsSignature: ed25519.sign(digest, pump.nodeSecrets[dealer]!), ciphertext });
  return { from: dealer, to: recipient, bytes: sealEnvelope(pump.nodeSecrets[dealer]!, pump.sessionId, DkgPhase.Deal, dealer, body) };
}
