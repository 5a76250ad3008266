import { resultFor, type CheckDefinition, type ProbeDefinition } from '../check-api.js';
import { errorTypeOf, show } from './util.js';

const check = 'auth_required';

/** The probe of `auth_required`: a secured operation without a session cookie. */
export const NO_SESSION: ProbeDefinition = {
  kind: 'no_session',
  order: 1,
  label: 'without a session cookie',
  appliesTo: (op) => op.security === 'sessionCookie',
  path: 'known',
  auth: 'none',
};

/** The probe of `auth_required`: a secured operation with a session cookie nobody issued. */
export const MADE_UP_SESSION: ProbeDefinition = {
  kind: 'made_up_session',
  order: 2,
  label: 'with a made-up session cookie',
  appliesTo: (op) => op.security === 'sessionCookie',
  path: 'known',
  auth: 'made_up_session',
  mockSkip: 'skipped for the mock: Prism only checks that a session cookie is present, not its value',
};

/**
 * `auth_required`: an operation secured by the session cookie answers 401 `Unauthenticated`
 * without a session (`no_session` probe) and with a session id nobody issued
 * (`made_up_session` probe).
 */
export const authRequired: CheckDefinition = {
  name: check,
  passes: 'each operation secured by the `session_id` cookie answers 401 `Unauthenticated` without a cookie and with a made-up one',
  mock: "without a cookie: checked (Prism answers the spec's 401). Made-up cookie: skipped, Prism checks only that a cookie is present",
  probes: [NO_SESSION, MADE_UP_SESSION],
  run: (_ctx, ex) => {
    if (ex.probe !== 'no_session' && ex.probe !== 'made_up_session') return [];
    const variant = ex.probe === 'no_session' ? NO_SESSION.label : MADE_UP_SESSION.label;
    if (!ex.response) return []; // status_code reports the missing answer
    const { status } = ex.response;
    const type = errorTypeOf(ex.response.json);
    if (status !== 401) {
      const hint = status >= 200 && status < 300 ? ' (the operation answered without a valid session)' : '';
      return [resultFor(ex, check, 'failed', `${variant}: received ${status}, expected 401 Unauthenticated${hint}`)];
    }
    if (type !== 'Unauthenticated') {
      return [resultFor(ex, check, 'failed', `${variant}: received 401 with error.type ${show(type ?? null)}, expected Unauthenticated`)];
    }
    return [resultFor(ex, check, 'passed', `${variant}: 401 Unauthenticated`)];
  },
};
