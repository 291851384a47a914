import { decodeAll, Reader, Writer } from './codec';
import { DecodeError } from './errors';
import { LIMITS } from './limits';
import { compareBytes } from './bytes';
import { blake2b256 } from './hash';
import {
  AddressKind,
  addressBytes,
  compareAddresses,
  outputIDBytes,
  readAddress,
  readOutputID,
  writeAddress,
  writeOutputID,
  type Address,
  type OutputID,
  type TransactionID,
} from './ids';
import { readBalances, writeBalances, type Balances } from './balances';

export interface Output {
  readonly address: Address;
  /** May hold COLOR_MINT: those tokens get the color = this transaction's ID. */
  readonly balances: Balances;
}

export const ED25519_PUBLIC_KEY_SIZE = 32;
export const ED25519_SIGNATURE_SIZE = 64;
export const BLS_PUBLIC_KEY_SIZE = 96; // compressed G2 (min-sig)
export const BLS_SIGNATURE_SIZE = 48; // compressed G1

export type Signature =
  | { readonly kind: AddressKind.Ed25519; readonly publicKey: Uint8Array; readonly signature: Uint8Array }
  | { readonly kind: AddressKind.BLS; readonly publicKey: Uint8Array; readonly signature: Uint8Array };

/** What the ledger needs from the crypto layer to check signatures. Two implementations must agree. */
export interface SignatureVerifier {
  ed25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
  bls(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
}

/** The unsigned part: inputs, outputs and data payload. */
export interface Essence {
  readonly inputs: readonly OutputID[];
  readonly outputs: readonly Output[];
  readonly dataPayload: Uint8Array;
}

export interface ValueTransaction extends Essence {
  readonly signatures: readonly Signature[];
}

const ESSENCE_VERSION = 1;

/** Canonical essence bytes: inputs and outputs sorted, so element order never changes the bytes. */
export function essenceBytes(e: Essence): Uint8Array {
  const w = new Writer();
  w.u8(ESSENCE_VERSION);
  const inputs = [...e.inputs].sort((a, b) => compareBytes(outputIDBytes(a), outputIDBytes(b)));
  w.u32(inputs.length);
  for (const i of inputs) writeOutputID(w, i);
  const outputs = [...e.outputs].sort((a, b) => compareAddresses(a.address, b.address));
  w.u32(outputs.length);
  for (const o of outputs) {
    writeAddress(w, o.address);
    writeBalances(w, o.balances);
  }
  w.bytes(e.dataPayload);
  return w.finish();
}

function sortedSignatures(sigs: readonly Signature[]): Signature[] {
  return [...sigs].sort((a, b) => a.kind - b.kind || compareBytes(a.publicKey, b.publicKey));
}

function writeSignature(w: Writer, s: Signature): void {
  w.u8(s.kind);
  if (s.kind === AddressKind.Ed25519) w.fixed(s.publicKey, ED25519_PUBLIC_KEY_SIZE).fixed(s.signature, ED25519_SIGNATURE_SIZE);
  else w.fixed(s.publicKey, BLS_PUBLIC_KEY_SIZE).fixed(s.signature, BLS_SIGNATURE_SIZE);
}

function readSignature(r: Reader): Signature {
  const at = r.offset;
  const kind = r.u8('signature type');
  if (kind === AddressKind.Ed25519)
    return { kind, publicKey: r.fixed(ED25519_PUBLIC_KEY_SIZE, 'ed25519 public key'), signature: r.fixed(ED25519_SIGNATURE_SIZE, 'ed25519 signature') };
  if (kind === AddressKind.BLS)
    return { kind, publicKey: r.fixed(BLS_PUBLIC_KEY_SIZE, 'BLS public key'), signature: r.fixed(BLS_SIGNATURE_SIZE, 'BLS signature') };
  throw new DecodeError(`unknown signature type ${kind}`, at);
}

function signaturesBytes(sigs: readonly Signature[]): Uint8Array {
  const w = new Writer();
  const sorted = sortedSignatures(sigs);
  w.u32(sorted.length);
  for (const s of sorted) writeSignature(w, s);
  return w.finish();
}

/** tx ID = blake2b-256(essence ‖ signatures). */
/**
 * Memoised per transaction object: a transaction is asked for its ID by the ledger, the backlog, the committee and
 * the state manager, each re-encoding and re-hashing it (7% of the simulator's CPU). Sound because transactions
 * are immutable values (every field readonly; nothing in the code base mutates one after it is built or decoded).
 * A copy of the returned ID is handed out, so a caller that mutates it cannot poison the cache.
 */
const TX_IDS = new WeakMap<ValueTransaction, TransactionID>();

export function transactionId(tx: ValueTransaction): TransactionID {
  let id = TX_IDS.get(tx);
  if (!id) {
    id = blake2b256(essenceBytes(tx), signaturesBytes(tx.signatures));
    TX_IDS.set(tx, id);
  }
  return id.slice();
}

export function encodeTransaction(tx: ValueTransaction): Uint8Array {
  const e = essenceBytes(tx);
  const s = signaturesBytes(tx.signatures);
  const out = new Uint8Array(e.length + s.length);
  out.set(e);
  out.set(s, e.length);
  return out;
}

/**
 * Strict decoder: canonical order required, so decode(encode(tx)) is the only byte form of a tx. Also refuses,
 * with DecodeError, every shape the ledger refuses before looking at its state: no inputs, no outputs, an empty
 * output, two outputs to one address or one input twice (not strictly increasing), more than LIMITS.inputsMax
 * inputs or LIMITS.outputsMax outputs, zero amounts, more than LIMITS.transactionBytesMax bytes.
 */
export function decodeTransaction(bytes: Uint8Array): ValueTransaction {
  if (bytes.length > LIMITS.transactionBytesMax) throw new DecodeError(`transaction too large: ${bytes.length} bytes`, 0);
  return decodeAll(bytes, 'value transaction', (r) => {
    const at = r.offset;
    const version = r.u8('essence version');
    if (version !== ESSENCE_VERSION) throw new DecodeError(`unknown essence version ${version}`, at);
    const inputs: OutputID[] = [];
    const niAt = r.offset;
    const ni = r.count(LIMITS.inputsMax, 'inputs');
    // What the ledger refuses structurally is refused here too (see ledger/validate.ts checkWellFormed), so a
    // decoded transaction always has an output to answer about and an ID-worthy shape.
    if (ni === 0) throw new DecodeError('no inputs: a transaction must spend at least one output', niAt);
    for (let i = 0; i < ni; i++) {
      const p = r.offset;
      const inp = readOutputID(r);
      const prev = inputs[inputs.length - 1];
      if (prev && compareBytes(outputIDBytes(prev), outputIDBytes(inp)) >= 0) throw new DecodeError('inputs not strictly increasing (duplicate or unsorted)', p);
      inputs.push(inp);
    }
    const outputs: Output[] = [];
    const noAt = r.offset;
    const no = r.count(LIMITS.outputsMax, 'outputs');
    if (no === 0) throw new DecodeError('no outputs: a transaction must have at least one output', noAt);
    for (let i = 0; i < no; i++) {
      const p = r.offset;
      const address = readAddress(r);
      const prev = outputs[outputs.length - 1];
      if (prev && compareAddresses(prev.address, address) >= 0) throw new DecodeError('output addresses not strictly increasing (duplicate or unsorted)', p);
      const bAt = r.offset;
      const balances = readBalances(r, 'output balances');
      if (balances.size === 0) throw new DecodeError('empty output: it holds no tokens', bAt);
      outputs.push({ address, balances });
    }
    const dataPayload = r.bytes(LIMITS.dataPayloadBytesMax, 'data payload');
    const signatures: Signature[] = [];
    const ns = r.count(LIMITS.signaturesMax, 'signatures');
    for (let i = 0; i < ns; i++) {
      const p = r.offset;
      const s = readSignature(r);
      const prev = signatures[signatures.length - 1];
      if (prev && (prev.kind - s.kind || compareBytes(prev.publicKey, s.publicKey)) >= 0) throw new DecodeError('signatures not strictly increasing', p);
      signatures.push(s);
    }
    return { inputs, outputs, dataPayload, signatures };
  });
}

export const addressOfOutput = (o: Output): Uint8Array => addressBytes(o.address);
