/** A bad command line or option (exit 2): one class for both command lines, in src/shared. */
export { UsageError } from '../shared/cli-options.js';

/** The run could not be done (unreachable target, TLS failure, wrong credentials, ...): exit 2. */
export class CannotRunError extends Error {
  override name = 'CannotRunError';
}
