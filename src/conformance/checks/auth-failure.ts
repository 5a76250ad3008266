import { findSetCookie } from '../../shared/index.js';
import { PROBE_USER_PREFIX } from '../check-api.js';
import { resultFor, type CheckDefinition, type ProbeDefinition } from '../check-api.js';
import { errorTypeOf, show } from './util.js';

const check = 'auth_failure';

/** Whether Set-Cookie headers hand out a usable cookie `name` (not an empty or expiring one). */
export function setsCookie(setCookies: string[], name: string): boolean {
  return findSetCookie(setCookies, name) !== undefined;
}

/** The probe of `auth_failure`: the login as a made-up user with a wrong password. */
export const WRONG_PASSWORD: ProbeDefinition = {
  kind: 'wrong_password',
  order: 3,
  label: 'wrong password (a made-up user name)',
  appliesTo: (op) => op.security === 'basicAuth',
  path: 'known',
  auth: 'wrong_password',
  mockSkip: 'skipped for the mock: Prism does not check credentials, so a wrong password cannot fail',
};

/**
 * `auth_failure`: one login per node as a user name that cannot exist
 * (`sps-conformance-probe-<12 random hex digits>`) with a random password answers 401
 * `AuthenticationFailure` and sets no session cookie. Never a configured account: a real
 * account's failed-login counter (and lockout) must not move because of a conformance run.
 */
export const authFailure: CheckDefinition = {
  name: check,
  passes:
    'one login per node as a user name that cannot exist (`sps-conformance-probe-<random hex>`, never a configured account) with a random password answers 401 `AuthenticationFailure` and sets no usable `session_id` cookie',
  mock: 'skipped: Prism does not check credentials',
  probes: [WRONG_PASSWORD],
  run: (ctx, ex) => {
    if (ex.probe !== 'wrong_password' || !ex.response) return [];
    const { status, setCookies } = ex.response;
    const problems: string[] = [];
    if (status !== 401) problems.push(`received ${status}, expected 401 AuthenticationFailure`);
    else {
      const type = errorTypeOf(ex.response.json);
      if (type !== 'AuthenticationFailure') problems.push(`received 401 with error.type ${show(type ?? null)}, expected AuthenticationFailure`);
    }
    if (setsCookie(setCookies, ctx.sessionCookieName)) problems.push(`a ${ctx.sessionCookieName} cookie was set for a wrong password`);
    const name = ex.user ?? `${PROBE_USER_PREFIX}...`;
    const who = `login as the made-up user ${name} with a random password`;
    if (problems.length > 0) return [resultFor(ex, check, 'failed', `wrong password (${who}): ${problems.join('; ')}`)];
    return [
      resultFor(
        ex,
        check,
        'passed',
        `wrong password (${who}): 401 AuthenticationFailure, no ${ctx.sessionCookieName} cookie; the appliance's audit log shows one failed login of ${name}, no real account's`,
      ),
    ];
  },
};
