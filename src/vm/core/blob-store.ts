import { blake2b256, compareBytes, concatBytes, toHex, utf8, Writer } from '../../protocol';
import type { StateReader } from '../../state/types';
import type { VirtualStateBuffer } from '../../state/vstate';
import { decU32, encU32 } from '../dict';
import { partitionKey } from '../partition';
import { H } from './names';

/**
 * Blob registry in the `blob` partition:
 *   'f' ‖ hash ‖ field name → field value
 *   'i' ‖ hash             → u32 total size of the field values
 * Blob hash = blake2b-256 over the fields sorted by name, each as (u32 len ‖ name ‖ u32 len ‖ value).
 */
const fieldKey = (hash: Uint8Array, field: Uint8Array) => partitionKey(H.blob, concatBytes(utf8('f'), hash, field));
const infoKey = (hash: Uint8Array) => partitionKey(H.blob, concatBytes(utf8('i'), hash));

export function blobHash(fields: readonly (readonly [Uint8Array, Uint8Array])[]): Uint8Array {
  const w = new Writer();
  for (const [k, v] of [...fields].sort(([a], [b]) => compareBytes(a, b))) w.bytes(k).bytes(v);
  return blake2b256(w.finish());
}

export function storeBlobFields(st: VirtualStateBuffer, fields: readonly (readonly [Uint8Array, Uint8Array])[]): Uint8Array {
  const hash = blobHash(fields);
  let total = 0;
  for (const [k, v] of fields) {
    st.set(fieldKey(hash, k), v);
    total += v.length;
  }
  st.set(infoKey(hash), encU32(total));
  return hash;
}

export function hasBlob(st: StateReader, hash: Uint8Array): boolean {
  return st.has(infoKey(hash));
}

export function loadBlobField(st: StateReader, hash: Uint8Array, field: string | Uint8Array): Uint8Array | undefined {
  return st.get(fieldKey(hash, typeof field === 'string' ? utf8(field) : field));
}

/** field name → size of its value */
export function blobInfo(st: StateReader, hash: Uint8Array): [Uint8Array, number][] {
  const prefix = partitionKey(H.blob, concatBytes(utf8('f'), hash));
  return st.keys(prefix).map((k) => [k.subarray(prefix.length), (st.get(k) as Uint8Array).length]);
}

export function listBlobs(st: StateReader): [Uint8Array, number][] {
  const prefix = partitionKey(H.blob, utf8('i'));
  return st.keys(prefix).map((k) => [k.subarray(prefix.length), decU32(st.get(k) as Uint8Array)]);
}

export const blobHashHex = (h: Uint8Array): string => toHex(h);
