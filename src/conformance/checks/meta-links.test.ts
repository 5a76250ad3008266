import { describe, expect, it } from 'vitest';
import { failsOnItsFixture, goodTimezone, outcomes, TIMEZONE } from '../../../tests/conformance/helpers/check-tests.js';
import { type CheckFixture, exchange, live, mock } from '../../../tests/conformance/helpers/exchange.js';
import { metaLinks } from './meta-links.js';

/** GET timezone answers with the meta.href of another resource. */
const fixture: CheckFixture = {
  exchange: exchange('getTimezone', 200, {
    body: 'UTC',
    key: 'timezone',
    meta: { href: '/api/configuration/datetime/ntp_servers', parent: '/api/configuration/datetime' },
  }),
  message: /meta.href is "\/api\/configuration\/datetime\/ntp_servers", the requested path is/,
};

describe('meta_links', () => {
  failsOnItsFixture(metaLinks, fixture);

  it('passes when href is the requested path and the links agree', () => {
    expect(outcomes(metaLinks, live, exchange('getTimezone', 200, goodTimezone, { path: TIMEZONE }))).toEqual(['passed']);
  });

  it('fails a wrong href, a wrong parent and a sibling under another parent', () => {
    const wrongHref = structuredClone(goodTimezone);
    wrongHref.meta.href = '/api/configuration/datetime/ntp_servers';
    expect(metaLinks.run(live, exchange('getTimezone', 200, wrongHref, { path: TIMEZONE }))[0]?.message).toContain('requested path');
    const wrongParent = structuredClone(goodTimezone);
    wrongParent.meta.parent = '/api';
    expect(metaLinks.run(live, exchange('getTimezone', 200, wrongParent, { path: TIMEZONE }))[0]?.message).toContain('meta.parent');
    const strayed = structuredClone(goodTimezone) as unknown as { meta: Record<string, unknown> };
    strayed.meta.next = '/api/cluster/nodes';
    const [r] = metaLinks.run(live, exchange('getTimezone', 200, strayed, { path: TIMEZONE }));
    expect(r?.outcome).toBe('failed');
    expect(r?.message).toContain('meta.next');
  });

  it('accepts the null parent of a top-level area, as the 7.x vendor sample of GET /api/configuration shows, and no deeper', () => {
    // The fixture spec's top-level area: /api/transaction (the vendor sample is /api/configuration's).
    const topLevel = { key: 'transaction', body: { status: 'closed' }, meta: { href: '/api/transaction', parent: null } };
    expect(outcomes(metaLinks, live, exchange('getTransaction', 200, topLevel, { path: '/api/transaction' }))).toEqual(['passed']);
    const deeper = structuredClone(goodTimezone) as unknown as { meta: Record<string, unknown> };
    deeper.meta.parent = null;
    expect(metaLinks.run(live, exchange('getTimezone', 200, deeper, { path: TIMEZONE }))[0]?.message).toContain('meta.parent is null');
  });

  it('against the mock, wants an href that is a path of the API instead of the requested one', () => {
    const shared = { ...goodTimezone, meta: { ...goodTimezone.meta, href: '/api/configuration/datetime/ntp_servers', previous: null, next: TIMEZONE } };
    expect(outcomes(metaLinks, mock, exchange('getTimezone', 200, shared, { path: TIMEZONE }))).toEqual(['passed']);
    const unknown = { ...goodTimezone, meta: { href: '/api/nowhere/at/all' } };
    expect(outcomes(metaLinks, mock, exchange('getTimezone', 200, unknown, { path: TIMEZONE }))).toEqual(['failed']);
  });
});
