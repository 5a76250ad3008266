import type { PublicCtx, Reply } from '../context.js';
import { ApiError } from '../errors.js';
import { parseBasicAuth } from '../sessions.js';

/**
 * GET /api/authentication with HTTP Basic credentials: 200 + `session_id` cookie, or 401
 * `AuthenticationFailure` without a cookie.
 */
export function logIn(ctx: PublicCtx): Reply {
  const { node } = ctx;
  const header = ctx.headers.authorization;
  const creds = parseBasicAuth(Array.isArray(header) ? header[0] : header);
  const privilege = node.sessions.authenticate(creds);
  if (!privilege || !creds) {
    node.stats.loginFailures += 1;
    throw new ApiError(401, 'AuthenticationFailure', 'Authenticating the user with the given credentials has failed.');
  }
  const session = node.sessions.create(creds.username, privilege);
  node.stats.logins += 1;
  const cookie = `session_id=${session.id}; Path=/; HttpOnly${node.https ? '; Secure' : ''}`;
  return {
    status: 200,
    body: { meta: { href: '/api/authentication', parent: '/api', transaction: '/api/transaction' } },
    headers: { 'set-cookie': [cookie] },
  };
}
