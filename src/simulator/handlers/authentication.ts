/** /api/authentication: Basic login, and the login methods (no session needed). */
import { randomBytes } from 'node:crypto';
import type { PublicCtx, Reply } from '../appliance/context.js';
import { ApiError } from '../appliance/api-error.js';
import { parseBasicAuth } from '../appliance/sessions.js';

/** The Basic challenge of the login's 401 (inferred from the Java SDK; `noLoginChallenge` leaves it out). */
export const WWW_AUTHENTICATE = 'Basic realm="Safeguard for Privileged Sessions"';

/**
 * GET /api/authentication with HTTP Basic credentials: 200 + `session_id` cookie, or 401
 * `AuthenticationFailure` with a Basic challenge and no cookie. Failed logins are counted per
 * user name sent (unknown names included).
 */
export function logIn(ctx: PublicCtx): Reply {
  const { appliance } = ctx;
  const header = ctx.headers.authorization;
  const creds = parseBasicAuth(Array.isArray(header) ? header[0] : header);
  const account =
    appliance.sessions.authenticate(creds) ?? (creds && appliance.behaviour.acceptAnyPassword ? appliance.sessions.authenticateAnyPassword(creds) : undefined);
  if (!account) {
    const { stats } = appliance;
    stats.loginFailures += 1;
    if (creds) stats.failedLogins[creds.username] = (stats.failedLogins[creds.username] ?? 0) + 1;
    throw new ApiError(
      401,
      'AuthenticationFailure',
      'Authenticating the user with the given credentials has failed.',
      {},
      {
        ...(appliance.behaviour.noLoginChallenge ? {} : { 'www-authenticate': WWW_AUTHENTICATE }),
        // The `cookieOnFailedLogin` switch: a session cookie with the refusal (of no session).
        ...(appliance.behaviour.cookieOnFailedLogin ? { 'set-cookie': `session_id=${randomBytes(20).toString('hex')}; Path=/; HttpOnly` } : {}),
      },
    );
  }
  const session = appliance.sessions.create(account);
  appliance.stats.logins += 1;
  const cookie = `session_id=${session.id}; Path=/; HttpOnly${appliance.https ? '; Secure' : ''}`;
  return {
    status: 200,
    body: { meta: { href: '/api/authentication', parent: '/api', transaction: '/api/transaction' } },
    headers: { 'set-cookie': [cookie] },
  };
}

/** GET /api/authentication/login_methods: answers without a session; the simulator has local users only. */
export function listLoginMethods(): Reply {
  return {
    status: 200,
    body: {
      login_methods: [{ name: 'local', type: 'password' }],
      meta: { href: '/api/authentication/login_methods', parent: '/api/authentication' },
    },
  };
}
