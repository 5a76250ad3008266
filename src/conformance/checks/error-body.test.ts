import { describe, expect, it } from 'vitest';
import { failsOnItsFixture, goodTimezone, outcomes, TIMEZONE, unauthenticated } from '../../../tests/conformance/helpers/check-tests.js';
import { type CheckFixture, exchange, live } from '../../../tests/conformance/helpers/exchange.js';
import { errorBody } from './error-body.js';

/** A 401 without error.type. */
const fixture: CheckFixture = {
  exchange: exchange('getTimezone', 401, { error: { message: 'no type' }, meta: { href: '/api/configuration/datetime/timezone' } }),
  message: /no error.type in the body/,
};

describe('error_body', () => {
  failsOnItsFixture(errorBody, fixture);

  it('wants error.type of a kind documented for the status', () => {
    expect(outcomes(errorBody, live, exchange('getTimezone', 401, unauthenticated(TIMEZONE)))).toEqual(['passed']);
    expect(outcomes(errorBody, live, exchange('getTimezone', 401, { error: { message: 'no type' } }))).toEqual(['failed']);
    const [r] = errorBody.run(live, exchange('getTimezone', 403, { error: { type: 'NotFound' } }));
    expect(r?.outcome).toBe('failed');
    expect(r?.message).toContain('documented for 403: Unauthorized');
  });

  it('does not apply to successes', () => {
    expect(errorBody.run(live, exchange('getTimezone', 200, goodTimezone))).toEqual([]);
  });
});
