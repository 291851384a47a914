/**
 * DKG wire messages. Every message is an envelope (version, session, phase, sender, body) signed with the
 * sender's ed25519 node key over a domain tag and all of those fields, so a message from outside the committee,
 * from another session or moved to another phase never verifies. Decoding is strict (src/protocol codec).
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { DecodeError, Writer, blake2b256, decodeAll, utf8, type Reader } from '../../protocol';
import { BLS_PUBLIC_KEY_SIZE } from '../bls';
import { COMMITTEE_SIZE_MAX } from '../threshold';
import { DKG_MESSAGE_BYTES_MAX, ED25519_SIGNATURE_SIZE, SESSION_ID_SIZE } from './params';

export const DKG_WIRE_VERSION = 1;
const SIGN_TAG = utf8('ISCP-DKG-message-v1');
const COMMIT_TAG = utf8('ISCP-DKG-commitments-v1');

export enum DkgPhase {
  Deal = 1,
  Response = 2,
  Justification = 3,
  Confirmation = 4,
}

export interface Envelope {
  sessionId: Uint8Array;
  phase: DkgPhase;
  sender: number;
  body: Uint8Array;
  signature: Uint8Array;
}

/** Dealer → one recipient: the Feldman commitments (with the dealer's signature on them) and the encrypted share. */
export interface DealBody {
  recipient: number;
  commitments: Uint8Array; // t × 96 bytes, raw as sent: validated by the recipient
  commitmentsSignature: Uint8Array; // dealer's ed25519 signature over commitmentsDigest(session, dealer, commitments)
  ciphertext: Uint8Array;
}

export enum EchoStatus {
  /** No usable deal arrived from this dealer: also a complaint. */
  Missing = 0,
  Ok = 1,
  /** A deal arrived but the share did not check out (bad ciphertext, bad commitments, share off the commitments). */
  Complaint = 2,
}

/** One member's view of one dealer: its verdict plus the dealer-signed commitments digest it received (the echo). */
export interface Echo {
  status: EchoStatus;
  commitmentsDigest: Uint8Array; // 32 bytes; zeros when Missing
  commitmentsSignature: Uint8Array; // 64 bytes; zeros when Missing
}
export interface ResponseBody {
  echoes: Echo[]; // length n, own slot Missing
}

/** Dealer's answer to complaints: its commitments again and every complainer's share in the clear. */
export interface JustificationBody {
  commitments: Uint8Array;
  shares: { member: number; share: Uint8Array }[];
}

export interface ConfirmationBody {
  qual: boolean[]; // length n
  masterPublicKey: Uint8Array;
}

// ---- envelope ----

function signedBytes(sessionId: Uint8Array, phase: DkgPhase, sender: number, body: Uint8Array): Uint8Array {
  return new Writer().fixed(SIGN_TAG, SIGN_TAG.length).fixed(sessionId, SESSION_ID_SIZE).u8(phase).u16(sender).bytes(body).finish();
}

export function sealEnvelope(secretKey: Uint8Array, sessionId: Uint8Array, phase: DkgPhase, sender: number, body: Uint8Array): Uint8Array {
  const signature = ed25519.sign(signedBytes(sessionId, phase, sender, body), secretKey);
  const out = new Writer().u8(DKG_WIRE_VERSION).fixed(sessionId, SESSION_ID_SIZE).u8(phase).u16(sender).bytes(body).fixed(signature, ED25519_SIGNATURE_SIZE).finish();
  if (out.length > DKG_MESSAGE_BYTES_MAX) throw new RangeError(`DKG message of ${out.length} bytes exceeds ${DKG_MESSAGE_BYTES_MAX}`);
  return out;
}

export function decodeEnvelope(bytes: Uint8Array): Envelope {
  if (bytes.length > DKG_MESSAGE_BYTES_MAX) throw new DecodeError(`DKG message too long: ${bytes.length}`, 0);
  return decodeAll(bytes, 'DKG envelope', (r) => {
    const at = r.offset;
    const version = r.u8('version');
    if (version !== DKG_WIRE_VERSION) throw new DecodeError(`unknown DKG wire version ${version}`, at);
    const sessionId = r.fixed(SESSION_ID_SIZE, 'session id');
    const pAt = r.offset;
    const phase = r.u8('phase');
    if (phase < DkgPhase.Deal || phase > DkgPhase.Confirmation) throw new DecodeError(`unknown DKG phase ${phase}`, pAt);
    const sender = r.u16('sender');
    const body = r.bytes(DKG_MESSAGE_BYTES_MAX, 'body');
    const signature = r.fixed(ED25519_SIGNATURE_SIZE, 'signature');
    return { sessionId, phase: phase as DkgPhase, sender, body, signature };
  });
}

export function envelopeSignatureValid(env: Envelope, senderPublicKey: Uint8Array): boolean {
  return ed25519Verify(env.signature, signedBytes(env.sessionId, env.phase, env.sender, env.body), senderPublicKey);
}

export function ed25519Verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return ed25519.verify(signature, message, publicKey);
  } catch {
    return false;
  }
}

/** What a dealer signs about its commitments: anyone holding two different signed digests has proof of equivocation. */
export function commitmentsDigest(sessionId: Uint8Array, dealer: number, commitments: Uint8Array): Uint8Array {
  return blake2b256(COMMIT_TAG, sessionId, new Writer().u16(dealer).finish(), commitments);
}

// ---- bodies ----

export function encodeDeal(d: DealBody): Uint8Array {
  return new Writer().u16(d.recipient).bytes(d.commitments).fixed(d.commitmentsSignature, ED25519_SIGNATURE_SIZE).bytes(d.ciphertext).finish();
}
export function decodeDeal(b: Uint8Array): DealBody {
  return decodeAll(b, 'DKG deal', (r) => ({
    recipient: r.u16('recipient'),
    commitments: readCommitmentsBytes(r),
    commitmentsSignature: r.fixed(ED25519_SIGNATURE_SIZE, 'commitments signature'),
    ciphertext: r.bytes(256, 'ciphertext'),
  }));
}

function readCommitmentsBytes(r: Reader): Uint8Array {
  // Size bounded by the largest committee's threshold; the count (degree) is checked by the member, which knows T.
  return r.bytes(COMMITTEE_SIZE_MAX * BLS_PUBLIC_KEY_SIZE, 'commitments');
}

export function encodeResponse(b: ResponseBody): Uint8Array {
  const w = new Writer().u16(b.echoes.length);
  for (const e of b.echoes) w.u8(e.status).fixed(e.commitmentsDigest, 32).fixed(e.commitmentsSignature, ED25519_SIGNATURE_SIZE);
  return w.finish();
}
export function decodeResponse(b: Uint8Array): ResponseBody {
  return decodeAll(b, 'DKG response', (r) => {
    const n = r.u16('echo count');
    if (n > COMMITTEE_SIZE_MAX) throw new DecodeError(`too many echoes: ${n}`, 0);
    const echoes: Echo[] = [];
    for (let i = 0; i < n; i++) {
      const at = r.offset;
      const status = r.u8('echo status');
      if (status > EchoStatus.Complaint) throw new DecodeError(`unknown echo status ${status}`, at);
      echoes.push({ status, commitmentsDigest: r.fixed(32, 'digest'), commitmentsSignature: r.fixed(ED25519_SIGNATURE_SIZE, 'signature') });
    }
    return { echoes };
  });
}

export function encodeJustification(b: JustificationBody): Uint8Array {
  const w = new Writer().bytes(b.commitments).u16(b.shares.length);
  for (const s of b.shares) w.u16(s.member).fixed(s.share, 32);
  return w.finish();
}
export function decodeJustification(b: Uint8Array): JustificationBody {
  return decodeAll(b, 'DKG justification', (r) => {
    const commitments = readCommitmentsBytes(r);
    const k = r.u16('share count');
    if (k > COMMITTEE_SIZE_MAX) throw new DecodeError(`too many justified shares: ${k}`, 0);
    const shares: JustificationBody['shares'] = [];
    for (let i = 0; i < k; i++) shares.push({ member: r.u16('member'), share: r.fixed(32, 'share') });
    return { commitments, shares };
  });
}

export function encodeConfirmation(b: ConfirmationBody): Uint8Array {
  const w = new Writer().u16(b.qual.length);
  for (const q of b.qual) w.bool(q);
  return w.fixed(b.masterPublicKey, BLS_PUBLIC_KEY_SIZE).finish();
}
export function decodeConfirmation(b: Uint8Array): ConfirmationBody {
  return decodeAll(b, 'DKG confirmation', (r) => {
    const n = r.u16('qual count');
    if (n > COMMITTEE_SIZE_MAX) throw new DecodeError(`qual too long: ${n}`, 0);
    const qual: boolean[] = [];
    for (let i = 0; i < n; i++) qual.push(r.bool('qual'));
    return { qual, masterPublicKey: r.fixed(BLS_PUBLIC_KEY_SIZE, 'master public key') };
  });
}
