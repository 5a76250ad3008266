import { describe, expect, it } from 'vitest';
import { failsOnItsFixture, goodTimezone, outcomes, TIMEZONE } from '../../../tests/conformance/helpers/check-tests.js';
import { type CheckFixture, exchange, live } from '../../../tests/conformance/helpers/exchange.js';
import { undocumentedProperties } from './undocumented-properties.js';

/** GET timezone carries a property the schema does not list; with --strict that fails. */
const fixture: CheckFixture = {
  exchange: exchange('getTimezone', 200, { body: 'UTC', key: 'timezone', sps_build: '7.4', meta: { href: '/api/configuration/datetime/timezone' } }),
  context: { ...live, strict: true },
  message: /1 property is not in the spec: sps_build/,
};

describe('undocumented_properties', () => {
  failsOnItsFixture(undocumentedProperties, fixture);

  it('reports undocumented properties as warnings, or failures when strict', () => {
    const extra = { ...goodTimezone, build: '7.4', meta: { ...goodTimezone.meta, shiny: true } };
    const [w] = undocumentedProperties.run(live, exchange('getTimezone', 200, extra));
    expect(w?.outcome).toBe('warning');
    expect(w?.message).toContain('build');
    expect(w?.message).toContain('meta.shiny');
    expect(outcomes(undocumentedProperties, { ...live, strict: true }, exchange('getTimezone', 200, extra))).toEqual(['failed']);
    expect(outcomes(undocumentedProperties, live, exchange('getTimezone', 200, goodTimezone))).toEqual(['passed']);
  });

  it('follows oneOf branches and array items, and leaves free-form values alone', () => {
    const legacyWithExtra = { key: 'transaction', meta: { href: '/api/transaction' }, transaction: { status: 'open', holder: 'x' } };
    expect(undocumentedProperties.run(live, exchange('getTransaction', 200, legacyWithExtra))[0]?.message).toContain('transaction.holder');
    const ntp = {
      body: [{ selection: 'ip', value: '192.0.2.1', prefer: true }],
      key: 'ntp_servers',
      meta: { href: '/api/configuration/datetime/ntp_servers' },
    };
    expect(undocumentedProperties.run(live, exchange('getNtpServers', 200, ntp))[0]?.message).toContain('body[0].prefer');
    const written = { key: 'timezone', body: { anything: { goes: 1 } }, meta: { href: TIMEZONE } };
    expect(outcomes(undocumentedProperties, live, exchange('updateTimezone', 200, written))).toEqual(['passed']);
  });
});
