import { resultFor, type CheckResult, type ExchangeCheck } from '../types.js';
import { errorTypeOf, show } from './util.js';

/**
 * `auth_required`: an operation secured by the session cookie answers 401 `Unauthenticated`
 * without a session (`no_session` probe) and with a session id nobody issued
 * (`made_up_session` probe).
 */
export const authRequired: ExchangeCheck = (_ctx, ex): CheckResult[] => {
  if (ex.probe !== 'no_session' && ex.probe !== 'made_up_session') return [];
  const check = 'auth_required';
  const variant = ex.probe === 'no_session' ? 'without a session cookie' : 'with a made-up session cookie';
  if (!ex.response) return []; // status_code_conformance reports the missing answer
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
};
