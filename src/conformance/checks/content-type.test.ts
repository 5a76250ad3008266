import { describe, expect, it } from 'vitest';
import { failsOnItsFixture, goodTimezone, outcomes } from '../../../tests/conformance/helpers/check-tests.js';
import { type CheckFixture, exchange, live } from '../../../tests/conformance/helpers/exchange.js';
import { contentType } from './content-type.js';

/** GET timezone answers an HTML page where JSON is documented. */
const fixture: CheckFixture = {
  exchange: exchange('getTimezone', 200, undefined, { contentType: 'text/html', raw: '<html></html>' }),
  message: /received Content-Type text\/html, documented application\/json/,
};

describe('content_type', () => {
  failsOnItsFixture(contentType, fixture);

  it('wants JSON where JSON is documented, and a body that parses', () => {
    expect(outcomes(contentType, live, exchange('getTimezone', 200, goodTimezone))).toEqual(['passed']);
    expect(outcomes(contentType, live, exchange('getTimezone', 200, undefined, { contentType: 'text/html', raw: '<html></html>' }))).toEqual(['failed']);
    expect(outcomes(contentType, live, exchange('getTimezone', 200, undefined, { raw: '{not json' }))).toEqual(['failed']);
  });

  it('does not apply to undocumented statuses (status_code reports those)', () => {
    expect(contentType.run(live, exchange('getTimezone', 502, undefined, { contentType: 'text/html', raw: '<html>' }))).toEqual([]);
  });
});
