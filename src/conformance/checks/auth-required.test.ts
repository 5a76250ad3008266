import { describe, expect, it } from 'vitest';
import { failsOnItsFixture, goodTimezone, outcomes, TIMEZONE, unauthenticated } from '../../../tests/conformance/helpers/check-tests.js';
import { type CheckFixture, exchange, live } from '../../../tests/conformance/helpers/exchange.js';
import { authRequired } from './auth-required.js';

/** A secured read answers 200 to a request without a session cookie. */
const fixture: CheckFixture = {
  exchange: exchange('getTimezone', 200, { body: 'UTC', key: 'timezone', meta: { href: '/api/configuration/datetime/timezone' } }, { probe: 'no_session' }),
  message: /without a session cookie: received 200, expected 401 Unauthenticated \(the operation answered without a valid session\)/,
};

describe('auth_required', () => {
  failsOnItsFixture(authRequired, fixture);

  it('wants 401 Unauthenticated without a session and with a made-up one', () => {
    expect(outcomes(authRequired, live, exchange('getTimezone', 401, unauthenticated(TIMEZONE), { probe: 'no_session' }))).toEqual(['passed']);
    const [accepted] = authRequired.run(live, exchange('getTimezone', 200, goodTimezone, { probe: 'made_up_session' }));
    expect(accepted?.outcome).toBe('failed');
    expect(accepted?.message).toContain('made-up session');
    const wrongType = { error: { type: 'AuthenticationFailure' } };
    expect(outcomes(authRequired, live, exchange('getTimezone', 401, wrongType, { probe: 'no_session' }))).toEqual(['failed']);
  });

  it('only looks at auth probes', () => {
    expect(authRequired.run(live, exchange('getTimezone', 200, goodTimezone))).toEqual([]);
  });
});
