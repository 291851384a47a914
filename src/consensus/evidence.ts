import type { RoundId } from './messages';

/**
 * Misbehaviour the consensus operator can prove or observe (spec steps 10–11: "this is proof of that fact").
 * Wasp v0.1.0 only ignored such messages; we keep a bounded, queryable record for the dashboard and audits.
 */
export type EvidenceKind =
  /** Same context hash, different result hash: the member computed (or claims) another result. */
  | 'wrongResultHash'
  /** A partial signature that does not verify against the member's public share. */
  | 'badPartialSignature'
  /** The member answered a context other than the one this leader sent in this round. */
  | 'wrongContextHash'
  /** The leader sent two different computation contexts in one round (equivocation). */
  | 'conflictingContext'
  /** The leader's context broke the rules (timestamp out of tolerance, bad order, processed request…). */
  | 'invalidContext';

export interface Evidence {
  readonly round: RoundId;
  /** Committee index of the member the evidence is about. */
  readonly member: number;
  readonly kind: EvidenceKind;
  readonly detail: string;
}
