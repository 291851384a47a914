/** A user mistake with a message worth printing as is (exit code 1, no stack). */
export class CliError extends Error {
  override readonly name: string = 'CliError';
}

/** A command line that does not parse (unknown option, missing argument): exit code 2 and the usage line. */
export class UsageError extends CliError {
  override readonly name = 'UsageError';
}
