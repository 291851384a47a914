import { decodeAll, Reader, Writer } from './codec';
import { DecodeError } from './errors';
import { LIMITS } from './limits';
import { compareBytes, equalBytes, utf8 } from './bytes';
import { HASH_SIZE } from './hash';
import { COLOR_SIZE, readContractID, writeContractID, type Color, type ContractID } from './ids';
import type { Hname } from './hname';
import { readBalances, writeBalances, type Balances } from './balances';

/** The spec's chain state section ("chain state anchor"). */
export interface StateSection {
  readonly chainColor: Color;
  readonly blockIndex: number; // uint32
  readonly timestamp: bigint; // int64 Unix nanoseconds
  readonly stateHash: Uint8Array; // 32 bytes
}

/** Request arguments: key → value, keys non-empty and unique; kept sorted by key bytes. */
export type Args = ReadonlyArray<readonly [Uint8Array, Uint8Array]>;

/** The spec's request section. */
export interface RequestSection {
  readonly senderContractHname: Hname;
  readonly targetContractID: ContractID;
  readonly entryPoint: Hname;
  readonly transfer: Balances;
  readonly timelock: number; // uint32 Unix seconds, 0 = none
  readonly args: Args;
}

export interface SCPayload {
  readonly state?: StateSection;
  readonly requests: readonly RequestSection[];
}

/** Marks a data payload as an SC payload; other payloads are plain data for the ISCP. */
const MAGIC = utf8('ISCP');
const PAYLOAD_VERSION = 1;

export function argsOf(entries: Iterable<readonly [string | Uint8Array, Uint8Array]>): Args {
  const list = [...entries].map(([k, v]) => [typeof k === 'string' ? utf8(k) : k, v] as const);
  list.sort(([a], [b]) => compareBytes(a, b));
  for (let i = 0; i < list.length; i++) {
    const k = (list[i] as readonly [Uint8Array, Uint8Array])[0];
    if (k.length === 0) throw new RangeError('argument keys must not be empty');
    if (i > 0 && equalBytes((list[i - 1] as readonly [Uint8Array, Uint8Array])[0], k)) throw new RangeError('argument keys must be unique');
  }
  return list;
}

export function encodeSCPayload(p: SCPayload): Uint8Array {
  const w = new Writer();
  w.fixed(MAGIC, MAGIC.length).u8(PAYLOAD_VERSION);
  w.bool(p.state !== undefined);
  if (p.state) writeStateSection(w, p.state);
  w.u32(p.requests.length);
  for (const r of p.requests) writeRequestSection(w, r);
  return w.finish();
}

/** Returns null when the data payload is not an SC payload at all (no magic): it is just data. */
export function decodeSCPayload(bytes: Uint8Array): SCPayload | null {
  if (bytes.length < MAGIC.length || !equalBytes(bytes.subarray(0, MAGIC.length), MAGIC)) return null;
  return decodeAll(bytes, 'SC payload', (r) => {
    r.fixed(MAGIC.length);
    const at = r.offset;
    const v = r.u8('payload version');
    if (v !== PAYLOAD_VERSION) throw new DecodeError(`unknown SC payload version ${v}`, at);
    const state = r.bool('state flag') ? readStateSection(r) : undefined;
    const n = r.count(LIMITS.requestsPerPayloadMax, 'request sections');
    const requests: RequestSection[] = [];
    for (let i = 0; i < n; i++) requests.push(readRequestSection(r));
    if (!state && requests.length === 0) throw new DecodeError('SC payload has neither a state section nor a request section', r.offset);
    return state ? { state, requests } : { requests };
  });
}

export function writeStateSection(w: Writer, s: StateSection): void {
  w.fixed(s.chainColor, COLOR_SIZE).u32(s.blockIndex).i64(s.timestamp).fixed(s.stateHash, HASH_SIZE);
}
export function readStateSection(r: Reader): StateSection {
  return {
    chainColor: r.fixed(COLOR_SIZE, 'chainColor'),
    blockIndex: r.u32('blockIndex'),
    timestamp: r.i64('timestamp'),
    stateHash: r.fixed(HASH_SIZE, 'stateHash'),
  };
}

export function writeArgs(w: Writer, args: Args): void {
  w.u32(args.length);
  for (const [k, v] of args) w.bytes(k).bytes(v);
}
export function readArgs(r: Reader): Args {
  const n = r.count(LIMITS.argsPerRequestMax, 'args');
  const out: [Uint8Array, Uint8Array][] = [];
  for (let i = 0; i < n; i++) {
    const at = r.offset;
    const k = r.bytes(LIMITS.argKeyBytesMax, 'arg key');
    if (k.length === 0) throw new DecodeError('empty argument key', at);
    const prev = out[out.length - 1];
    if (prev && compareBytes(prev[0], k) >= 0) throw new DecodeError('argument keys not unique or not sorted', at);
    out.push([k, r.bytes(LIMITS.argValueBytesMax, 'arg value')]);
  }
  return out;
}

export function writeRequestSection(w: Writer, q: RequestSection): void {
  w.u32(q.senderContractHname);
  writeContractID(w, q.targetContractID);
  w.u32(q.entryPoint);
  writeBalances(w, q.transfer);
  w.u32(q.timelock);
  writeArgs(w, q.args);
}
export function readRequestSection(r: Reader): RequestSection {
  return {
    senderContractHname: r.u32('senderContractHname'),
    targetContractID: readContractID(r),
    entryPoint: r.u32('entryPoint'),
    transfer: readBalances(r, 'transfer'),
    timelock: r.u32('timelock'),
    args: readArgs(r),
  };
}
