/** Every decoder throws only this: a typed error that names what was wrong with the bytes. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(readonly what: string, readonly offset: number) {
    super(`decode error at byte ${offset}: ${what}`);
  }
}

/** Raised when a value is well-formed bytes but breaks a protocol rule (semantic validity). */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  constructor(readonly rule: string, detail: string) {
    super(`${rule}: ${detail}`);
  }
}
