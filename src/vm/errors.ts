/** Why a request failed. Each is recorded in the receipt; the block goes on. */
export type VMErrorKind =
  | 'OutOfGas'
  | 'StackOverflow'
  | 'Trap'
  | 'Panic'
  | 'InsufficientFunds'
  | 'NoSuchContract'
  | 'NoSuchEntryPoint'
  | 'BadParams'
  | 'Unauthorized'
  | 'CallDepthExceeded'
  | 'ReadOnly'
  | 'LimitExceeded'
  | 'InvalidProgram'
  | 'AlreadyExists'
  | 'NotInitialized';

/** A typed failure inside the VM. Contracts' own panics are kind 'Panic'. */
export class VMError extends Error {
  override readonly name = 'VMError';
  constructor(
    readonly kind: VMErrorKind,
    message: string,
  ) {
    super(`${kind}: ${message}`);
  }
  /** The message without the kind prefix (what the receipt stores). */
  get detail(): string {
    return this.message.slice(this.kind.length + 2);
  }
}

/** The caller broke a precondition of runBatch (a bug in the caller, not in a request). */
export class VMTaskError extends Error {
  override readonly name = 'VMTaskError';
}

export const panic = (message: string): never => {
  throw new VMError('Panic', message);
};
export const require_ = (cond: boolean, message: string, kind: VMErrorKind = 'Panic'): void => {
  if (!cond) throw new VMError(kind, message);
};
