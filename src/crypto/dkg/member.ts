/**
 * One committee member's side of the distributed key generation (Joint-Feldman with complaints, GJKR family; the
 * spec names Rabin–Gennaro). A pure state machine: messages and clock ticks in, actions out; no timers, sockets or
 * ambient randomness. Phases:
 *   1. Deal: send every member its share of my random degree T−1 polynomial, encrypted, with Feldman commitments.
 *   2. Response: broadcast, for every dealer, a verdict (ok / complaint / missing) and the dealer-signed digest of
 *      the commitments I got (the echo: two different signed digests prove the dealer equivocated).
 *   3. Justification: a dealer with complaints (fewer than T) reveals the complainers' shares in the clear.
 *   4. Confirmation: compute QUAL and the keys, broadcast (QUAL, master key); finish once T members agree.
 * Each phase ends when everything it expects has arrived or its timeout passes. Safety assumes the usual
 * synchronous broadcast of Joint-Feldman; if views diverge anyway, the confirmation phase turns that into a
 * clean failure instead of members holding shares of different keys.
 */
import { equalBytes, toHex, type Rng } from '../../protocol';
import { Fr, G2_BASE, G2_ZERO, decodeScalar, encodeG2, encodeScalar, randomScalar, type G2Point } from '../bls';
import { CryptoError } from '../errors';
import { evalPoly } from '../poly';
import { assertMemberIndex, assertThresholdParams, type KeyShare } from '../threshold';
import { commit, decodeCommitments, evalCommitments, shareMatches } from './feldman';
import {
  DkgPhase,
  EchoStatus,
  commitmentsDigest,
  decodeConfirmation,
  decodeDeal,
  decodeEnvelope,
  decodeJustification,
  decodeResponse,
  ed25519Verify,
  encodeConfirmation,
  encodeDeal,
  encodeJustification,
  encodeResponse,
  envelopeSignatureValid,
  sealEnvelope,
  type ConfirmationBody,
  type Echo,
  type Envelope,
  type JustificationBody,
  type ResponseBody,
} from './messages';
import { DKG_PHASE_TIMEOUT_MS_DEFAULT, DKG_REJECTIONS_MAX, ED25519_PUBLIC_KEY_SIZE, SESSION_ID_SIZE, type DkgParams } from './params';
import { ed25519 } from '@noble/curves/ed25519.js';
import { openShare, sealShare } from './seal';

export type DkgAction =
  | { kind: 'broadcast'; bytes: Uint8Array }
  | { kind: 'send'; to: number; bytes: Uint8Array }
  | { kind: 'done'; keyShare: KeyShare }
  | { kind: 'failed'; reason: string };

export interface DkgResult {
  keyShare: KeyShare;
  /** Dealers whose polynomials make up the key, ascending. */
  qual: number[];
}

export type DkgState = 'idle' | 'deal' | 'response' | 'justification' | 'confirmation' | 'done' | 'failed';

/**
 * What a member received so far, for a dashboard: the peers whose message of each phase it authenticated and took
 * in — or, once it settled, that authenticated late (own messages are not counted) — and the complaints in those
 * responses (`by` complained about dealer `against`; `missing`: no deal arrived). Kept by the member itself, so a
 * view never decodes envelopes again.
 */
export interface DkgProgress {
  readonly dealt: ReadonlySet<number>;
  readonly responded: ReadonlySet<number>;
  readonly justified: ReadonlySet<number>;
  readonly confirmed: ReadonlySet<number>;
  /** By `${by}/${against}`, in the order first seen. */
  readonly complaints: ReadonlyMap<string, { readonly by: number; readonly against: number; readonly missing: boolean }>;
}

/** Why a dealer was left out of QUAL: for diagnostics and tests. */
export type Exclusion = 'silent' | 'equivocated' | 'too-many-complaints' | 'unresolved-complaint' | 'bad-commitments';

interface ReceivedDeal {
  digest: Uint8Array;
  commitmentsSignature: Uint8Array;
  status: EchoStatus;
  commitments?: G2Point[];
  share?: bigint;
}

/** Which round (multiple of the phase timeout after start) ends each phase. */
const PHASE_ROUND: Record<DkgState, number> = { idle: 0, deal: 1, response: 2, justification: 3, confirmation: 4, done: 0, failed: 0 };

export class DkgMember {
  readonly n: number;
  readonly t: number;
  readonly index: number;
  private readonly sessionId: Uint8Array;
  private readonly secretKey: Uint8Array;
  private readonly publicKeys: Uint8Array[];
  private readonly rng: Rng;
  private readonly phaseTimeoutMs: number;

  private stateValue: DkgState = 'idle';
  /** Phase k (1-based) ends at the latest at startedMs + k·phaseTimeoutMs: absolute rounds, so a member that
   *  advanced early still waits for one that used its whole timeout in an earlier phase. */
  private startedMs = 0;
  private readonly deals = new Map<number, ReceivedDeal>();
  private readonly responses = new Map<number, ResponseBody>();
  private readonly justifications = new Map<number, JustificationBody>();
  private readonly confirmations = new Map<number, ConfirmationBody>();
  /** Raw bytes of the first message per (phase, sender): exact duplicates are dropped quietly. */
  private readonly seen = new Map<string, Uint8Array>();
  private ownCommitments: Uint8Array = new Uint8Array(0);
  private ownCoeffs: bigint[] = [];
  private resultValue: DkgResult | undefined;
  private myConfirmation: ConfirmationBody | undefined;
  private failureReason: string | undefined;
  /** Bounded log of rejected messages (DKG_REJECTIONS_MAX). */
  readonly rejections: { from: number; reason: string }[] = [];
  /** Filled when QUAL is computed. */
  readonly excluded = new Map<number, Exclusion>();
  private readonly progressValue = {
    dealt: new Set<number>(),
    responded: new Set<number>(),
    justified: new Set<number>(),
    confirmed: new Set<number>(),
    complaints: new Map<string, { by: number; against: number; missing: boolean }>(),
  };

  constructor(params: DkgParams) {
    assertThresholdParams(params.n, params.t);
    assertMemberIndex(params.n, params.index);
    if (params.sessionId.length !== SESSION_ID_SIZE) throw new CryptoError('bad-length', `session id must be ${SESSION_ID_SIZE} bytes`);
    if (params.nodeKeys.publicKeys.length !== params.n) throw new CryptoError('bad-params', `need ${params.n} node public keys`);
    for (const k of params.nodeKeys.publicKeys)
      if (k.length !== ED25519_PUBLIC_KEY_SIZE) throw new CryptoError('bad-length', 'node public keys are 32 bytes');
    if (!equalBytes(ed25519.getPublicKey(params.nodeKeys.secretKey), params.nodeKeys.publicKeys[params.index]!))
      throw new CryptoError('inconsistent-keys', 'node secret key does not match this member’s public key');
    this.n = params.n;
    this.t = params.t;
    this.index = params.index;
    this.sessionId = params.sessionId;
    this.secretKey = params.nodeKeys.secretKey;
    this.publicKeys = params.nodeKeys.publicKeys;
    this.rng = params.rng;
    this.phaseTimeoutMs = params.phaseTimeoutMs ?? DKG_PHASE_TIMEOUT_MS_DEFAULT;
  }

  get state(): DkgState {
    return this.stateValue;
  }
  result(): DkgResult | undefined {
    return this.resultValue;
  }
  failure(): string | undefined {
    return this.failureReason;
  }
  /** Read-only: the member's own record (see DkgProgress). */
  progress(): DkgProgress {
    return this.progressValue;
  }

  // ---- inputs ----

  start(nowMs: number): DkgAction[] {
    if (this.stateValue !== 'idle') return [];
    const actions: DkgAction[] = [];
    this.ownCoeffs = Array.from({ length: this.t }, () => randomScalar(this.rng));
    this.ownCommitments = commit(this.ownCoeffs);
    const digest = commitmentsDigest(this.sessionId, this.index, this.ownCommitments);
    const commitmentsSignature = ed25519.sign(digest, this.secretKey);
    for (let j = 0; j < this.n; j++) {
      const share = encodeScalar(evalPoly(this.ownCoeffs, BigInt(j + 1)));
      if (j === this.index) {
        this.deals.set(j, {
          digest,
          commitmentsSignature,
          status: EchoStatus.Ok,
          commitments: decodeCommitments(this.ownCommitments, this.t)!,
          share: decodeScalar(share),
        });
        continue;
      }
      const ciphertext = sealShare(share, this.publicKeys[j]!, this.sessionId, this.index, j, this.rng);
      const body = encodeDeal({ recipient: j, commitments: this.ownCommitments, commitmentsSignature, ciphertext });
      actions.push({ kind: 'send', to: j, bytes: this.seal(DkgPhase.Deal, body) });
    }
    this.enter('deal', nowMs);
    return this.advance(nowMs, actions);
  }

  onMessage(from: number, bytes: Uint8Array, nowMs: number): DkgAction[] {
    if (this.stateValue === 'idle' || this.stateValue === 'done' || this.stateValue === 'failed') {
      this.noteLate(from, bytes);
      return [];
    }
    const env = this.authenticate(from, bytes);
    if (env === undefined) return [];
    this.accept(env);
    return this.advance(nowMs, []);
  }

  onTick(nowMs: number): DkgAction[] {
    if (this.stateValue === 'idle' || this.stateValue === 'done' || this.stateValue === 'failed') return [];
    return this.advance(nowMs, []);
  }

  // ---- message intake ----

  private authenticate(from: number, bytes: Uint8Array): Envelope | undefined {
    if (!Number.isInteger(from) || from < 0 || from >= this.n) return this.reject(from, 'sender outside the committee');
    if (from === this.index) return this.reject(from, 'own message echoed back');
    let env: Envelope;
    try {
      env = decodeEnvelope(bytes);
    } catch (e) {
      return this.reject(from, `undecodable: ${(e as Error).message}`);
    }
    if (!equalBytes(env.sessionId, this.sessionId)) return this.reject(from, 'another session');
    if (env.sender !== from) return this.reject(from, `claims sender ${env.sender}`);
    const key = `${env.phase}/${env.sender}`;
    const prev = this.seen.get(key);
    if (prev !== undefined) {
      if (!equalBytes(prev, bytes)) this.reject(from, `second, different phase-${env.phase} message ignored`);
      return undefined; // exact duplicates: nothing to do, nothing to log
    }
    if (!envelopeSignatureValid(env, this.publicKeys[from]!)) return this.reject(from, 'bad signature');
    this.seen.set(key, bytes);
    return env;
  }

  private accept(env: Envelope): void {
    const from = env.sender;
    try {
      switch (env.phase) {
        case DkgPhase.Deal:
          if (this.stateValue !== 'deal') return void this.reject(from, 'deal arrived after the deal phase');
          this.deals.set(from, this.checkDeal(from, env.body));
          this.progressValue.dealt.add(from);
          return;
        case DkgPhase.Response: {
          if (this.pastPhase('response')) return void this.reject(from, 'response arrived after the response phase');
          const r = decodeResponse(env.body);
          if (r.echoes.length !== this.n) return void this.reject(from, `response has ${r.echoes.length} echoes`);
          this.responses.set(from, r);
          this.noteResponse(from, r);
          return;
        }
        case DkgPhase.Justification:
          if (this.pastPhase('justification')) return void this.reject(from, 'justification arrived late');
          this.justifications.set(from, decodeJustification(env.body));
          this.progressValue.justified.add(from);
          return;
        case DkgPhase.Confirmation: {
          const c = decodeConfirmation(env.body);
          if (c.qual.length !== this.n) return void this.reject(from, 'confirmation of the wrong size');
          this.confirmations.set(from, c);
          this.progressValue.confirmed.add(from);
          return;
        }
      }
    } catch (e) {
      this.reject(from, `bad phase-${env.phase} body: ${(e as Error).message}`);
    }
  }

  /**
   * A message after this member settled (or before it started) changes nothing, but peers keep re-sending until
   * they settle too: if it authenticates it still counts as their progress (a dashboard shows every confirmation).
   */
  private noteLate(from: number, bytes: Uint8Array): void {
    const env = this.authenticate(from, bytes);
    if (env === undefined) return;
    try {
      if (env.phase === DkgPhase.Deal) this.progressValue.dealt.add(from);
      else if (env.phase === DkgPhase.Justification) this.progressValue.justified.add(from);
      else if (env.phase === DkgPhase.Confirmation) this.progressValue.confirmed.add(from);
      else if (env.phase === DkgPhase.Response) this.noteResponse(from, decodeResponse(env.body));
    } catch {
      /* a late body that does not decode is nobody's progress */
    }
  }

  private noteResponse(from: number, r: ResponseBody): void {
    this.progressValue.responded.add(from);
    r.echoes.forEach((e, dealer) => {
      if (e.status !== EchoStatus.Ok && dealer !== from) this.progressValue.complaints.set(`${from}/${dealer}`, { by: from, against: dealer, missing: e.status === EchoStatus.Missing });
    });
  }

  /** Verdict on a deal addressed to me. Anything wrong is a complaint, never an exception. */
  private checkDeal(dealer: number, body: Uint8Array): ReceivedDeal {
    const d = decodeDeal(body); // structural errors propagate: as if nothing arrived
    if (d.recipient !== this.index) throw new Error(`deal addressed to ${d.recipient}`);
    const digest = commitmentsDigest(this.sessionId, dealer, d.commitments);
    const received: ReceivedDeal = { digest, commitmentsSignature: d.commitmentsSignature, status: EchoStatus.Complaint };
    if (!ed25519Verify(d.commitmentsSignature, digest, this.publicKeys[dealer]!)) return received;
    const commitments = decodeCommitments(d.commitments, this.t);
    if (commitments === undefined) return received;
    received.commitments = commitments;
    const plain = openShare(d.ciphertext, this.secretKey, this.sessionId, dealer, this.index);
    if (plain === undefined || plain.length !== 32) return received;
    let share: bigint;
    try {
      share = decodeScalar(plain);
    } catch {
      return received;
    }
    if (!shareMatches(commitments, this.index, share)) return received;
    received.share = share;
    received.status = EchoStatus.Ok;
    return received;
  }

  // ---- phase progression ----

  private advance(nowMs: number, actions: DkgAction[]): DkgAction[] {
    // Bound: at most one step per phase per call (4 phases).
    for (let step = 0; step < 4; step++) {
      const timedOut = nowMs >= this.startedMs + PHASE_ROUND[this.stateValue] * this.phaseTimeoutMs;
      switch (this.stateValue) {
        case 'deal':
          if (!timedOut && this.deals.size + this.rejectedDealers() < this.n) return actions;
          actions.push({ kind: 'broadcast', bytes: this.seal(DkgPhase.Response, encodeResponse(this.myResponse())) });
          this.enter('response', nowMs);
          continue;
        case 'response':
          if (!timedOut && this.responses.size < this.n) return actions;
          this.sendJustification(actions);
          this.enter('justification', nowMs);
          continue;
        case 'justification':
          if (!timedOut && !this.allJustificationsIn()) return actions;
          this.finishKeys(actions, nowMs);
          continue;
        case 'confirmation': {
          const agreeing = this.agreeingConfirmations();
          if (agreeing >= this.t) {
            this.stateValue = 'done';
            actions.push({ kind: 'done', keyShare: this.resultValue!.keyShare });
            return actions;
          }
          if (!timedOut) return actions;
          return this.fail(actions, `only ${agreeing} of the needed T=${this.t} members confirmed the same QUAL and master key`);
        }
        default:
          return actions;
      }
    }
    return actions;
  }

  /** Dealers whose deal to me was malformed count as "arrived" so a bad message does not stall the phase. */
  private rejectedDealers(): number {
    let k = 0;
    for (let i = 0; i < this.n; i++) if (!this.deals.has(i) && this.seen.has(`${DkgPhase.Deal}/${i}`)) k++;
    return k;
  }

  private myResponse(): ResponseBody {
    const echoes: Echo[] = [];
    for (let i = 0; i < this.n; i++) {
      const d = this.deals.get(i);
      echoes.push(
        d === undefined
          ? { status: EchoStatus.Missing, commitmentsDigest: new Uint8Array(32), commitmentsSignature: new Uint8Array(64) }
          : { status: d.status, commitmentsDigest: d.digest, commitmentsSignature: d.commitmentsSignature },
      );
    }
    const r = { echoes };
    this.responses.set(this.index, r);
    return r;
  }

  private complainers(dealer: number): number[] {
    const out: number[] = [];
    for (const [j, r] of this.responses) if (j !== dealer && r.echoes[dealer]!.status !== EchoStatus.Ok) out.push(j);
    return out.sort((a, b) => a - b);
  }

  private sendJustification(actions: DkgAction[]): void {
    const complainers = this.complainers(this.index);
    // With T or more complaints I am out anyway, and revealing T shares would reveal my whole polynomial.
    if (complainers.length === 0 || complainers.length >= this.t) return;
    const body: JustificationBody = {
      commitments: this.ownCommitments,
      shares: complainers.map((member) => ({ member, share: encodeScalar(evalPoly(this.ownCoeffs, BigInt(member + 1))) })),
    };
    this.justifications.set(this.index, body);
    actions.push({ kind: 'broadcast', bytes: this.seal(DkgPhase.Justification, encodeJustification(body)) });
  }

  private allJustificationsIn(): boolean {
    for (let i = 0; i < this.n; i++) {
      const c = this.complainers(i).length;
      if (c > 0 && c < this.t && !this.justifications.has(i)) return false;
    }
    return true;
  }

  // ---- QUAL and keys ----

  private finishKeys(actions: DkgAction[], nowMs: number): void {
    const qual: number[] = [];
    const polys: G2Point[][] = [];
    let secret = 0n;
    for (let i = 0; i < this.n; i++) {
      const verdict = this.judgeDealer(i);
      if ('exclusion' in verdict) {
        this.excluded.set(i, verdict.exclusion);
        continue;
      }
      qual.push(i);
      polys.push(verdict.commitments);
      secret = Fr.add(secret, verdict.myShare);
    }
    if (qual.length < this.t) {
      const why = [...this.excluded].map(([i, e]) => `${i}:${e}`).join(', ');
      this.fail(actions, `QUAL has ${qual.length} dealers, fewer than T=${this.t} (excluded ${why})`);
      return;
    }
    if (secret === 0n) {
      this.fail(actions, 'private share summed to zero');
      return;
    }
    const summed = polys[0]!.map((_, k) => polys.reduce((acc, p) => acc.add(p[k]!), G2_ZERO));
    const masterPublicKey = encodeG2(summed[0]!);
    const publicShares = Array.from({ length: this.n }, (_, m) => encodeG2(evalCommitments(summed, m)));
    if (!equalBytes(encodeG2(G2_BASE.multiply(secret)), publicShares[this.index]!)) {
      this.fail(actions, 'internal check failed: private share does not match its public share');
      return;
    }
    const keyShare: KeyShare = { n: this.n, t: this.t, index: this.index, masterPublicKey, publicShares, privateShare: encodeScalar(secret) };
    this.resultValue = { keyShare, qual };
    const qualFlags = Array.from({ length: this.n }, (_, i) => qual.includes(i));
    this.myConfirmation = { qual: qualFlags, masterPublicKey };
    actions.push({ kind: 'broadcast', bytes: this.seal(DkgPhase.Confirmation, encodeConfirmation(this.myConfirmation)) });
    this.enter('confirmation', nowMs);
  }

  private judgeDealer(dealer: number): { exclusion: Exclusion } | { commitments: G2Point[]; myShare: bigint } {
    // The echo: every dealer-signed digest anyone reports. Two different ones prove equivocation; unsigned
    // (forged) echoes are ignored, so a member cannot frame an honest dealer.
    const digests = new Map<string, Uint8Array>();
    const verified = new Set<string>();
    for (const r of this.responses.values()) {
      const e = r.echoes[dealer]!;
      if (e.status === EchoStatus.Missing) continue;
      const hex = toHex(e.commitmentsDigest);
      if (verified.has(hex)) continue;
      if (!ed25519Verify(e.commitmentsSignature, e.commitmentsDigest, this.publicKeys[dealer]!)) continue;
      verified.add(hex);
      digests.set(hex, e.commitmentsDigest);
    }
    if (digests.size > 1) return { exclusion: 'equivocated' };
    const agreed = [...digests.values()][0];
    if (agreed === undefined) return { exclusion: 'silent' };
    const complainers = this.complainers(dealer);
    if (complainers.length >= this.t) return { exclusion: 'too-many-complaints' };

    const mine = this.deals.get(dealer);
    let commitments = mine !== undefined && equalBytes(mine.digest, agreed) ? mine.commitments : undefined;
    let myShare = mine?.status === EchoStatus.Ok ? mine.share : undefined;
    if (complainers.length > 0) {
      const j = this.justifications.get(dealer);
      if (j === undefined) return { exclusion: 'unresolved-complaint' };
      if (!equalBytes(commitmentsDigest(this.sessionId, dealer, j.commitments), agreed)) return { exclusion: 'unresolved-complaint' };
      const jc = decodeCommitments(j.commitments, this.t);
      if (jc === undefined) return { exclusion: 'bad-commitments' };
      commitments ??= jc;
      for (const c of complainers) {
        const entry = j.shares.find((s) => s.member === c);
        if (entry === undefined) return { exclusion: 'unresolved-complaint' };
        let s: bigint;
        try {
          s = decodeScalar(entry.share);
        } catch {
          return { exclusion: 'unresolved-complaint' };
        }
        if (!shareMatches(jc, c, s)) return { exclusion: 'unresolved-complaint' };
        if (c === this.index) myShare = s;
      }
    }
    if (commitments === undefined) return { exclusion: 'bad-commitments' };
    // Every complaint resolved and my own verdict was Ok or resolved: a share I hold is on these commitments.
    if (myShare === undefined) return { exclusion: 'unresolved-complaint' };
    return { commitments, myShare };
  }

  private agreeingConfirmations(): number {
    const mine = this.myConfirmation;
    if (mine === undefined) return 0;
    let k = 1;
    for (const [j, c] of this.confirmations) {
      if (j === this.index) continue;
      if (equalBytes(c.masterPublicKey, mine.masterPublicKey) && c.qual.every((q, i) => q === mine.qual[i])) k++;
    }
    return k;
  }

  // ---- helpers ----

  private pastPhase(phase: 'response' | 'justification'): boolean {
    const order: DkgState[] = ['idle', 'deal', 'response', 'justification', 'confirmation', 'done', 'failed'];
    return order.indexOf(this.stateValue) > order.indexOf(phase);
  }

  private enter(state: DkgState, nowMs: number): void {
    if (state === 'deal') this.startedMs = nowMs;
    this.stateValue = state;
  }

  private seal(phase: DkgPhase, body: Uint8Array): Uint8Array {
    return sealEnvelope(this.secretKey, this.sessionId, phase, this.index, body);
  }

  private fail(actions: DkgAction[], reason: string): DkgAction[] {
    this.stateValue = 'failed';
    this.failureReason = reason;
    actions.push({ kind: 'failed', reason });
    return actions;
  }

  private reject(from: number, reason: string): undefined {
    if (this.rejections.length >= DKG_REJECTIONS_MAX) this.rejections.shift();
    this.rejections.push({ from, reason });
    return undefined;
  }
}
