/** A bad command line or option: exit 2, one line, no stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The run could not be done (unreachable target, TLS failure, wrong credentials, ...): exit 2. */
export class CannotRunError extends Error {
  override name = 'CannotRunError';
}
