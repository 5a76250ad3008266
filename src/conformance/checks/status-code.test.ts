import { describe, expect, it } from 'vitest';
import { failsOnItsFixture, goodTimezone, outcomes } from '../../../tests/conformance/helpers/check-tests.js';
import { type CheckFixture, exchange, live, mock } from '../../../tests/conformance/helpers/exchange.js';
import { statusCode } from './status-code.js';

/** GET timezone answers 418, which the spec does not document. */
const fixture: CheckFixture = {
  exchange: exchange('getTimezone', 418, { error: { type: 'Teapot' } }),
  message: /received 418, which is not documented/,
};

describe('status_code', () => {
  failsOnItsFixture(statusCode, fixture);

  it('passes a documented status and fails an undocumented one, naming both', () => {
    expect(outcomes(statusCode, live, exchange('getTimezone', 200, goodTimezone))).toEqual(['passed']);
    const [r] = statusCode.run(live, exchange('getTimezone', 418, { error: { type: 'Teapot' } }));
    expect(r?.outcome).toBe('failed');
    expect(r?.message).toContain('418');
    expect(r?.message).toContain('200, 401, 403');
  });

  it('fails when the mock does not produce the status that was asked for', () => {
    const [r] = statusCode.run(mock, exchange('getTimezone', 422, {}, { requestedStatus: 403 }));
    expect(r?.outcome).toBe('failed');
    expect(r?.message).toMatch(/403.*422/);
  });

  it('fails when there was no HTTP answer at all', () => {
    const ex = {
      ...exchange('getTimezone', 200, goodTimezone),
      response: undefined,
      error: { kind: 'timeout', message: 'no complete response within 100 ms' },
    };
    const [r] = statusCode.run(live, ex);
    expect(r?.outcome).toBe('failed');
    expect(r?.message).toContain('timeout');
  });
});
