import { describe, expect, it } from 'vitest';
import { failsOnItsFixture, outcomes } from '../../../tests/conformance/helpers/check-tests.js';
import { type CheckFixture, exchange, live, model, op } from '../../../tests/conformance/helpers/exchange.js';
import { responseHeaders } from './response-headers.js';

/** The login answers 200 but sets no session_id cookie (its documented Set-Cookie header is missing). */
const fixture: CheckFixture = {
  exchange: exchange('logIn', 200, { meta: { href: '/api/authentication', parent: '/api' } }, { setCookies: [] }),
  message: /documented header Set-Cookie is missing/,
};

describe('response_headers', () => {
  failsOnItsFixture(responseHeaders, fixture);

  const loggedIn = { meta: { href: '/api/authentication', parent: '/api', transaction: '/api/transaction' } };
  it('passes when the documented Set-Cookie sets the session_id cookie of its example', () => {
    const ex = exchange('logIn', 200, loggedIn, { setCookies: ['session_id=0123abcd; Path=/; HttpOnly'] });
    expect(outcomes(responseHeaders, live, ex)).toEqual(['passed']);
  });
  it('fails when the Set-Cookie sets another cookie, or only deletes session_id, and never shows the value', () => {
    const other = responseHeaders.run(live, exchange('logIn', 200, loggedIn, { setCookies: ['tracking=secret-value; Path=/'] }));
    expect(other.map((r) => r.outcome)).toEqual(['failed']);
    expect(other[0]!.message).toBe('200: Set-Cookie sets no usable session_id cookie');
    const expired = responseHeaders.run(live, exchange('logIn', 200, loggedIn, { setCookies: ['session_id=; Max-Age=0'] }));
    expect(expired[0]!.message).toContain('no usable session_id cookie');
  });
  it('does not apply to responses that document no header', () => {
    expect(responseHeaders.run(live, exchange('logIn', 401, { error: { type: 'AuthenticationFailure' } }))).toEqual([]);
  });
  it('reads the documented headers from the spec model', () => {
    const headers = op('logIn').responses.find((r) => r.status === '200')!.headers;
    expect(headers.map((h) => [h.name, h.required, typeof h.schemaPointer])).toEqual([['Set-Cookie', false, 'string']]);
    expect(model.at(headers[0]!.schemaPointer!)).toEqual({ type: 'string' });
  });
});
