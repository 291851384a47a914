import { AddressKind, DecodeError, decodeAll, readAddress, writeAddress, Writer, type Address, type Color } from '../protocol';
import { COMMITTEE_SIZE_MAX } from './deploy';

/**
 * Chain setup messages (spec "Deployment of the contract chain": DKG, then activation), carried on the peering
 * envelope's 'dkg' channel. The frame's chain field is the DKG session ID as a BLS-kind placeholder address
 * (`sessionAddress`): the chain address does not exist before the DKG ends.
 *  - invite (initiator → members): request ID, T, member node keys in committee order, phase timeout, description.
 *    The session ID is dkgSessionId(requestId, T, members): a member recomputes it, so a frame cannot move a
 *    member into another committee's session.
 *  - dkg: one sealed DKG envelope of src/crypto/dkg (authenticated there with the sender's node key).
 *  - done / failed (member → initiator): the member's DKG outcome (master public key and QUAL, or why it failed).
 *  - activate (initiator → members): the chain address and chain color (origin tx ID) once L1 confirmed the origin.
 *  - activated (member → initiator): the member stored its bootup record and started the committee object.
 */
export const SETUP_WIRE_LIMITS = {
  descriptionBytesMax: 256,
  dkgMessageBytesMax: 64 * 1024,
  reasonBytesMax: 512,
} as const;

export type SetupMsg =
  | { readonly type: 'invite'; readonly requestId: Uint8Array; readonly t: number; readonly members: readonly Uint8Array[]; readonly phaseTimeoutMs: number; readonly description: string }
  | { readonly type: 'dkg'; readonly bytes: Uint8Array }
  | { readonly type: 'done'; readonly masterPublicKey: Uint8Array; readonly qual: readonly number[] }
  | { readonly type: 'failed'; readonly reason: string }
  | { readonly type: 'activate'; readonly chainAddress: Address; readonly chainColor: Color }
  | { readonly type: 'activated'; readonly chainAddress: Address };

const TAG = { invite: 1, dkg: 2, done: 3, failed: 4, activate: 5, activated: 6 } as const;

export function encodeSetupMsg(m: SetupMsg): Uint8Array {
  const w = new Writer().u8(TAG[m.type]);
  switch (m.type) {
    case 'invite':
      w.fixed(m.requestId, 32).u16(m.t).u16(m.members.length);
      for (const k of m.members) w.fixed(k, 32);
      w.u32(m.phaseTimeoutMs).string(m.description);
      break;
    case 'dkg':
      w.bytes(m.bytes);
      break;
    case 'done':
      w.bytes(m.masterPublicKey).u16(m.qual.length);
      for (const q of m.qual) w.u16(q);
      break;
    case 'failed':
      w.string(m.reason.slice(0, SETUP_WIRE_LIMITS.reasonBytesMax / 4));
      break;
    case 'activate':
      writeAddress(w, m.chainAddress);
      w.fixed(m.chainColor, 32);
      break;
    case 'activated':
      writeAddress(w, m.chainAddress);
      break;
  }
  return w.finish();
}

/** Strict; throws only DecodeError. */
export function decodeSetupMsg(b: Uint8Array): SetupMsg {
  return decodeAll(b, 'chain setup message', (r): SetupMsg => {
    const at = r.offset;
    const tag = r.u8('setup message tag');
    switch (tag) {
      case TAG.invite: {
        const requestId = r.fixed(32, 'request ID');
        const t = r.u16('t');
        const n = r.u16('n');
        if (n < 1 || n > COMMITTEE_SIZE_MAX) throw new DecodeError(`committee of ${n} members`, at);
        const members: Uint8Array[] = [];
        for (let i = 0; i < n; i++) members.push(r.fixed(32, 'member node key'));
        return { type: 'invite', requestId, t, members, phaseTimeoutMs: r.u32('phase timeout'), description: r.string(SETUP_WIRE_LIMITS.descriptionBytesMax, 'description') };
      }
      case TAG.dkg:
        return { type: 'dkg', bytes: r.bytes(SETUP_WIRE_LIMITS.dkgMessageBytesMax, 'dkg message') };
      case TAG.done: {
        const masterPublicKey = r.bytes(96, 'master public key');
        const k = r.u16('qual size');
        if (k > COMMITTEE_SIZE_MAX) throw new DecodeError(`QUAL of ${k}`, at);
        const qual: number[] = [];
        for (let i = 0; i < k; i++) qual.push(r.u16('qual member'));
        return { type: 'done', masterPublicKey, qual };
      }
      case TAG.failed:
        return { type: 'failed', reason: r.string(SETUP_WIRE_LIMITS.reasonBytesMax, 'reason') };
      case TAG.activate:
        return { type: 'activate', chainAddress: readAddress(r), chainColor: r.fixed(32, 'chain color') };
      case TAG.activated:
        return { type: 'activated', chainAddress: readAddress(r) };
      default:
        throw new DecodeError(`unknown setup message tag ${tag}`, at);
    }
  });
}

/** The placeholder "chain" of a setup frame: the session ID as a BLS-kind address. */
export function sessionAddress(sessionId: Uint8Array): Address {
  return { kind: AddressKind.BLS, digest: sessionId };
}
