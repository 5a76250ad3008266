import { describe, expect, it } from 'vitest';
import { failsOnItsFixture, outcomes } from '../../../tests/conformance/helpers/check-tests.js';
import { type CheckFixture, exchange, live } from '../../../tests/conformance/helpers/exchange.js';
import { notFound } from './not-found.js';

/** A made-up node id is found. */
const fixture: CheckFixture = {
  exchange: exchange('getClusterNode', 200, { key: 'x', body: {} }, { probe: 'not_found', path: '/api/cluster/nodes/sps-conformance-no-such-object' }),
  message: /made-up id: received 200, expected 404 NotFound/,
};

describe('not_found', () => {
  failsOnItsFixture(notFound, fixture);

  it('wants 404 NotFound for a made-up id', () => {
    const path = '/api/cluster/nodes/2b0e1a3c-0000-4000-8000-000000000000';
    expect(outcomes(notFound, live, exchange('getClusterNode', 404, { error: { type: 'NotFound' } }, { probe: 'not_found', path }))).toEqual(['passed']);
    expect(outcomes(notFound, live, exchange('getClusterNode', 200, {}, { probe: 'not_found', path }))).toEqual(['failed']);
    expect(outcomes(notFound, live, exchange('getClusterNode', 404, { error: { type: 'Gone' } }, { probe: 'not_found', path }))).toEqual(['failed']);
  });
});
