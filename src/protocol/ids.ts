import { Reader, Writer } from './codec';
import { DecodeError } from './errors';
import { base58Decode, base58Encode } from './base58';
import { compareBytes, concatBytes, equalBytes, toHex } from './bytes';
import { blake2b256, HASH_SIZE } from './hash';
import type { Hname } from './hname';
import { HNAME_NIL, hnameToString } from './hname';

/* ------------------------------------------------------------------ Address */

export enum AddressKind {
  Ed25519 = 0,
  BLS = 1,
}
/** Type byte + 32-byte digest of the public key. Chain addresses are BLS addresses. */
export const ADDRESS_SIZE = 1 + HASH_SIZE;

export interface Address {
  readonly kind: AddressKind;
  readonly digest: Uint8Array;
}

export function addressFromPublicKey(kind: AddressKind, publicKey: Uint8Array): Address {
  return { kind, digest: blake2b256(publicKey) };
}
export function addressBytes(a: Address): Uint8Array {
  return concatBytes(Uint8Array.of(a.kind), a.digest);
}
export function writeAddress(w: Writer, a: Address): void {
  w.u8(a.kind).fixed(a.digest, HASH_SIZE);
}
export function readAddress(r: Reader): Address {
  const at = r.offset;
  const kind = r.u8('address type');
  if (kind !== AddressKind.Ed25519 && kind !== AddressKind.BLS) throw new DecodeError(`unknown address type ${kind}`, at);
  return { kind, digest: r.fixed(HASH_SIZE, 'address digest') };
}
export function addressToString(a: Address): string {
  return base58Encode(addressBytes(a));
}
export function addressFromString(s: string): Address {
  const b = base58Decode(s);
  if (b.length !== ADDRESS_SIZE) throw new DecodeError(`address must be ${ADDRESS_SIZE} bytes, got ${b.length}`, 0);
  const r = new Reader(b);
  const a = readAddress(r);
  r.end('address');
  return a;
}
export const addressEquals = (a: Address, b: Address): boolean => a.kind === b.kind && equalBytes(a.digest, b.digest);
export const compareAddresses = (a: Address, b: Address): number => compareBytes(addressBytes(a), addressBytes(b));
/** Stable map key. */
export const addressKey = (a: Address): string => toHex(addressBytes(a));

/* ------------------------------------------------------------------ Color */

/** 32 bytes. IOTA color is all zeros; a freshly minted color equals the minting transaction's ID. */
export type Color = Uint8Array;
export const COLOR_SIZE = HASH_SIZE;
export const COLOR_IOTA: Color = new Uint8Array(COLOR_SIZE);
/** Output marker meaning "mint a new color = this transaction's ID" (as in Pollen). */
export const COLOR_MINT: Color = new Uint8Array(COLOR_SIZE).fill(0xff);
export const colorKey = (c: Color): string => toHex(c);
export const colorToString = (c: Color): string =>
  equalBytes(c, COLOR_IOTA) ? 'IOTA' : equalBytes(c, COLOR_MINT) ? 'MINT' : base58Encode(c);
export function colorFromString(s: string): Color {
  if (s === 'IOTA') return COLOR_IOTA;
  if (s === 'MINT') return COLOR_MINT;
  const b = base58Decode(s);
  if (b.length !== COLOR_SIZE) throw new DecodeError(`color must be ${COLOR_SIZE} bytes, got ${b.length}`, 0);
  return b;
}

/* ------------------------------------------------------------------ Transaction / output IDs */

export type TransactionID = Uint8Array; // 32 bytes
export const TX_ID_SIZE = HASH_SIZE;
export const txIdToString = (id: TransactionID): string => base58Encode(id);
export function txIdFromString(s: string): TransactionID {
  const b = base58Decode(s);
  if (b.length !== TX_ID_SIZE) throw new DecodeError(`transaction ID must be ${TX_ID_SIZE} bytes, got ${b.length}`, 0);
  return b;
}

/** An output is named by the transaction that made it and the address it is in (Pollen's output ID). */
export interface OutputID {
  readonly txId: TransactionID;
  readonly address: Address;
}
export function writeOutputID(w: Writer, o: OutputID): void {
  w.fixed(o.txId, TX_ID_SIZE);
  writeAddress(w, o.address);
}
export function readOutputID(r: Reader): OutputID {
  return { txId: r.fixed(TX_ID_SIZE, 'output tx ID'), address: readAddress(r) };
}
export const outputIDBytes = (o: OutputID): Uint8Array => concatBytes(o.txId, addressBytes(o.address));
export const outputIDKey = (o: OutputID): string => toHex(outputIDBytes(o));

/* ------------------------------------------------------------------ Chain / contract / agent IDs */

/** The chain ID is the chain's address (Pollen). */
export type ChainID = Address;
/**
 * Contract ID = chain ID ‖ hname(LE u32) = 33 + 4 = 37 bytes.
 * Deviation: the spec says 35 bytes; its own parts (33-byte address, 4-byte hname) make 37. See docs/protocol.md.
 */
export interface ContractID {
  readonly chainId: ChainID;
  readonly hname: Hname;
}
export const CONTRACT_ID_SIZE = ADDRESS_SIZE + 4;
export function writeContractID(w: Writer, c: ContractID): void {
  writeAddress(w, c.chainId);
  w.u32(c.hname);
}
export function readContractID(r: Reader): ContractID {
  return { chainId: readAddress(r), hname: r.u32('contract hname') };
}
export const contractIDEquals = (a: ContractID, b: ContractID): boolean => a.hname === b.hname && addressEquals(a.chainId, b.chainId);
export const contractIDToString = (c: ContractID): string => `${addressToString(c.chainId)}::${hnameToString(c.hname)}`;

/** Agent ID: a contract ID; hname 0 means "the address in the chain-ID field" (a wallet). */
export type AgentID = ContractID;
export const agentIDFromAddress = (a: Address): AgentID => ({ chainId: a, hname: HNAME_NIL });
export const isAddressAgent = (a: AgentID): boolean => a.hname === HNAME_NIL;
export const writeAgentID = writeContractID;
export const readAgentID = readContractID;
export const agentIDEquals = contractIDEquals;
/**
 * The bytes writeAgentID writes (type byte, digest, hname u32 LE), built directly: account keys are formed from
 * them several times per request. The same range checks as the Writer (RangeError).
 */
export function agentIDBytes(a: AgentID): Uint8Array {
  checkUint(a.chainId.kind, 0xff, 'u8');
  checkSize(a.chainId.digest, HASH_SIZE);
  checkUint(a.hname, 0xffffffff, 'u32');
  const out = new Uint8Array(CONTRACT_ID_SIZE);
  out[0] = a.chainId.kind;
  out.set(a.chainId.digest, 1);
  putU32LE(out, ADDRESS_SIZE, a.hname);
  return out;
}
export const agentIDKey = (a: AgentID): string => toHex(agentIDBytes(a));
export function agentIDFromBytes(b: Uint8Array): AgentID {
  const r = new Reader(b);
  const a = readAgentID(r);
  r.end('agent ID');
  return a;
}
export const agentIDToString = (a: AgentID): string =>
  isAddressAgent(a) ? `A/${addressToString(a.chainId)}` : `C/${contractIDToString(a)}`;

/* ------------------------------------------------------------------ Request ID */

/** tx ID ‖ uint16 LE request index = 34 bytes; text form `[i]base58(txid)`. */
export interface RequestID {
  readonly txId: TransactionID;
  readonly index: number;
}
export const REQUEST_ID_SIZE = TX_ID_SIZE + 2;
export function writeRequestID(w: Writer, id: RequestID): void {
  w.fixed(id.txId, TX_ID_SIZE).u16(id.index);
}
export function readRequestID(r: Reader): RequestID {
  return { txId: r.fixed(TX_ID_SIZE, 'request tx ID'), index: r.u16('request index') };
}
/** The bytes writeRequestID writes (tx ID, index u16 LE), built directly: request keys are formed everywhere. */
export function requestIDBytes(id: RequestID): Uint8Array {
  checkSize(id.txId, TX_ID_SIZE);
  checkUint(id.index, 0xffff, 'u16');
  const out = new Uint8Array(REQUEST_ID_SIZE);
  out.set(id.txId, 0);
  out[TX_ID_SIZE] = id.index & 0xff;
  out[TX_ID_SIZE + 1] = id.index >>> 8;
  return out;
}
export const requestIDKey = (id: RequestID): string => toHex(requestIDBytes(id));
export const requestIDToString = (id: RequestID): string => `[${id.index}]${base58Encode(id.txId)}`;
export function requestIDFromString(s: string): RequestID {
  const m = /^\[(\d{1,5})\]([1-9A-HJ-NP-Za-km-z]+)$/.exec(s);
  if (!m) throw new DecodeError(`request ID must look like [i]base58txid: '${s}'`, 0);
  const index = Number(m[1]);
  if (index > 0xffff) throw new DecodeError(`request index out of range: ${index}`, 1);
  return { index, txId: txIdFromString(m[2] as string) };
}
export const compareRequestIDs = (a: RequestID, b: RequestID): number => compareBytes(requestIDBytes(a), requestIDBytes(b));

/* ------------------------------------------------------------------ direct encodings' checks (as the Writer's) */

function checkUint(v: number, max: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`${what} out of range: ${v}`);
}
function checkSize(b: Uint8Array, size: number): void {
  if (b.length !== size) throw new RangeError(`expected ${size} bytes, got ${b.length}`);
}
function putU32LE(out: Uint8Array, at: number, v: number): void {
  out[at] = v & 0xff;
  out[at + 1] = (v >>> 8) & 0xff;
  out[at + 2] = (v >>> 16) & 0xff;
  out[at + 3] = v >>> 24;
}
