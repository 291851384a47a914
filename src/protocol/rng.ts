import { blake2b256 } from './hash';
import { Writer } from './codec';

/** Randomness enters only at the edges: pure cores take an Rng, the runtime injects a real or seeded one. */
export interface Rng {
  bytes(n: number): Uint8Array;
}

/** Deterministic RNG (blake2b in counter mode) for the simulator and tests: one seed replays exactly. */
export class SeededRng implements Rng {
  private counter = 0n;
  private readonly seed: Uint8Array;
  constructor(seed: number | bigint | Uint8Array) {
    this.seed = seed instanceof Uint8Array ? seed : new Writer().u64(BigInt(seed) & 0xffffffffffffffffn).finish();
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let off = 0; off < n; off += 32) {
      const block = blake2b256(this.seed, new Writer().u64(this.counter++).finish());
      out.set(block.subarray(0, Math.min(32, n - off)), off);
    }
    return out;
  }
  /** Uniform integer in [0, max). */
  int(max: number): number {
    if (!Number.isInteger(max) || max <= 0 || max > 2 ** 32) throw new RangeError(`bad range ${max}`);
    const v = new DataView(this.bytes(8).buffer).getBigUint64(0, true);
    return Number(v % BigInt(max));
  }
  /** Float in [0, 1). */
  float(): number {
    const v = new DataView(this.bytes(8).buffer).getBigUint64(0, true) >> 11n;
    return Number(v) / 2 ** 53;
  }
}

/** The runtime's RNG: Web Crypto, available in browsers, workers and Node 20. */
export const cryptoRng: Rng = {
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let off = 0; off < n; off += 65536) globalThis.crypto.getRandomValues(out.subarray(off, Math.min(n, off + 65536)));
    return out;
  },
};
