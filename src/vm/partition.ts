import type { Hname } from '../protocol';
import type { VirtualStateBuffer } from '../state/vstate';
import type { StateRW, StateView } from './sandbox';

/** The spec's state partition: every key of contract `h` is prefixed with its hname as 4 bytes little-endian. */
export function partitionPrefix(h: Hname): Uint8Array {
  const p = new Uint8Array(4);
  writePrefix(p, h);
  return p;
}

/** One allocation per key (no prefix array, no DataView): every state access of every contract builds one. */
export function partitionKey(h: Hname, key: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + key.length);
  writePrefix(out, h);
  out.set(key, 4);
  return out;
}

/** partitionKey(h, concatBytes(...parts)) in one allocation (account keys are 'a' ‖ agent ID ‖ color). */
export function partitionKeyOf(h: Hname, ...parts: Uint8Array[]): Uint8Array {
  let len = 4;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  writePrefix(out, h);
  let at = 4;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The hname as u32 little-endian into out[0..4] (same bytes as DataView.setUint32(0, h, true)). */
function writePrefix(out: Uint8Array, h: Hname): void {
  out[0] = h & 0xff;
  out[1] = (h >>> 8) & 0xff;
  out[2] = (h >>> 16) & 0xff;
  out[3] = (h >>> 24) & 0xff;
}

/** Hooks the sandbox uses to charge gas and check writes; core (privileged) code passes none. */
export interface PartitionHooks {
  onRead?(key: Uint8Array, value: Uint8Array | undefined): void;
  onKeys?(count: number): void;
  onWrite?(key: Uint8Array, value: Uint8Array | undefined): void;
}

/**
 * A contract's view of its partition. It can only form keys under its own prefix, so reading or writing
 * another contract's state is impossible by construction, not by a check that could be forgotten.
 */
export class PartitionRW implements StateRW {
  constructor(
    private readonly buf: VirtualStateBuffer,
    readonly contract: Hname,
    private readonly hooks: PartitionHooks = {},
    private readonly readOnly = false,
  ) {}
  private k(key: Uint8Array): Uint8Array {
    return partitionKey(this.contract, key);
  }
  get(key: Uint8Array): Uint8Array | undefined {
    const v = this.buf.get(this.k(key));
    this.hooks.onRead?.(key, v);
    return v;
  }
  has(key: Uint8Array): boolean {
    const v = this.buf.has(this.k(key));
    this.hooks.onRead?.(key, undefined);
    return v;
  }
  keys(prefix: Uint8Array): Uint8Array[] {
    const ks = this.buf.keys(this.k(prefix)).map((k) => k.subarray(4));
    this.hooks.onKeys?.(ks.length);
    return ks;
  }
  set(key: Uint8Array, value: Uint8Array): void {
    this.hooks.onWrite?.(key, value);
    this.buf.set(this.k(key), value);
  }
  del(key: Uint8Array): void {
    this.hooks.onWrite?.(key, undefined);
    this.buf.del(this.k(key));
  }
  /** Used by views: the same object, but writes are refused (views never get one that writes). */
  get isReadOnly(): boolean {
    return this.readOnly;
  }
}

export type { StateView };
