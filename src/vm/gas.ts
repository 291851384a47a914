import { VMError } from './errors';

/** Counts gas for one request (or one external view call). Exceeding the limit throws OutOfGas at that exact point. */
export class GasMeter {
  private _used = 0n;
  constructor(readonly limit: bigint) {}
  get used(): bigint {
    return this._used;
  }
  get remaining(): bigint {
    return this.limit - this._used;
  }
  charge(units: bigint): void {
    if (units < 0n) throw new RangeError('negative gas');
    const next = this._used + units;
    if (next > this.limit) {
      this._used = this.limit;
      throw new VMError('OutOfGas', `gas limit ${this.limit} exceeded`);
    }
    this._used = next;
  }
  /** Sets the used amount (the wasm runner reports its own count after a call). */
  setUsed(units: bigint): void {
    if (units > this.limit) {
      this._used = this.limit;
      throw new VMError('OutOfGas', `gas limit ${this.limit} exceeded`);
    }
    this._used = units;
  }
}
