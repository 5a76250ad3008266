/** The run could not be done (unreachable target, TLS failure, wrong credentials, ...): exit 2. */
export class CannotRunError extends Error {
  override name = 'CannotRunError';
}
