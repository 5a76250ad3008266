import { describe, expect, it } from 'vitest';
import { failsOnItsFixture, goodTimezone, outcomes } from '../../../tests/conformance/helpers/check-tests.js';
import { type CheckFixture, exchange, live } from '../../../tests/conformance/helpers/exchange.js';
import { responseSchema } from './response-schema.js';

/** GET timezone answers a number as the timezone. */
const fixture: CheckFixture = {
  exchange: exchange('getTimezone', 200, {
    body: 42,
    key: 'timezone',
    meta: { href: '/api/configuration/datetime/timezone', parent: '/api/configuration/datetime' },
  }),
  message: /\/body: must be string/,
};

describe('response_schema', () => {
  failsOnItsFixture(responseSchema, fixture);

  it('validates the body against the schema of that operation and status', () => {
    expect(outcomes(responseSchema, live, exchange('getTimezone', 200, goodTimezone))).toEqual(['passed']);
    const [r] = responseSchema.run(live, exchange('getTimezone', 200, { ...goodTimezone, body: 42 }));
    expect(r?.outcome).toBe('failed');
    expect(r?.message).toContain('/body: must be string');
  });

  it('validates both documented transaction shapes (oneOf)', () => {
    const legacy = { key: 'transaction', meta: { href: '/api/transaction', parent: '/api' }, transaction: { status: 'closed' } };
    expect(outcomes(responseSchema, live, exchange('getTransaction', 200, legacy))).toEqual(['passed']);
    expect(outcomes(responseSchema, live, exchange('getTransaction', 200, { key: 'transaction', meta: { href: '/api/transaction' } }))).toEqual(['failed']);
  });
});
