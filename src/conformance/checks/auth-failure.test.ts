import { describe, expect, it } from 'vitest';
import { failsOnItsFixture, outcomes } from '../../../tests/conformance/helpers/check-tests.js';
import { type CheckFixture, exchange, live } from '../../../tests/conformance/helpers/exchange.js';
import { authFailure, setsCookie } from './auth-failure.js';

/** A wrong password answers 401 AuthenticationFailure, but still sets a session cookie. */
const fixture: CheckFixture = {
  exchange: exchange(
    'logIn',
    401,
    { error: { type: 'AuthenticationFailure', message: 'wrong' } },
    { probe: 'wrong_password', setCookies: ['session_id=abc123; Path=/'] },
  ),
  message: /a session_id cookie was set for a wrong password/,
};

describe('auth_failure', () => {
  failsOnItsFixture(authFailure, fixture);

  const failure = { error: { type: 'AuthenticationFailure', message: 'no' }, meta: { href: '/api/authentication', parent: '/api' } };
  it('wants 401 AuthenticationFailure and no session cookie', () => {
    expect(outcomes(authFailure, live, exchange('logIn', 401, failure, { probe: 'wrong_password' }))).toEqual(['passed']);
    expect(outcomes(authFailure, live, exchange('logIn', 401, failure, { probe: 'wrong_password', setCookies: ['session_id=abc; Path=/'] }))).toEqual([
      'failed',
    ]);
    expect(outcomes(authFailure, live, exchange('logIn', 200, { meta: { href: '/api/authentication' } }, { probe: 'wrong_password' }))).toEqual(['failed']);
  });

  it('treats a cookie that clears the session as no cookie', () => {
    expect(setsCookie(['session_id=; Max-Age=0'], 'session_id')).toBe(false);
    expect(setsCookie(['session_id=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT'], 'session_id')).toBe(false);
    expect(setsCookie(['other=1', 'session_id=abc; HttpOnly'], 'session_id')).toBe(true);
  });
});
