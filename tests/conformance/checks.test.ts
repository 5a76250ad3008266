/**
 * The checks are pure functions of (operation model, recorded exchange): each one is shown
 * here to pass on a conformant answer and to fail on an answer that breaks its rule.
 */
import { describe, expect, it } from 'vitest';
import { setsCookie } from '../../src/conformance/checks/index.js';
import { authFailure } from '../../src/conformance/checks/auth_failure.js';
import { authRequired } from '../../src/conformance/checks/auth_required.js';
import { contentType } from '../../src/conformance/checks/content_type.js';
import { drift } from '../../src/conformance/checks/drift.js';
import { errorBody } from '../../src/conformance/checks/error_body.js';
import { metaLinks } from '../../src/conformance/checks/meta_links.js';
import { notFound } from '../../src/conformance/checks/not_found.js';
import { responseHeaders } from '../../src/conformance/checks/response_headers.js';
import { responseSchema } from '../../src/conformance/checks/response_schema.js';
import { statusCode } from '../../src/conformance/checks/status_code.js';
import type { CheckContext, CheckDefinition, Exchange } from '../../src/conformance/check-api.js';
import { exchange, live, mock, model, op } from './helpers/exchange.js';

const TIMEZONE = '/api/configuration/datetime/timezone';
const goodTimezone = {
  body: 'Europe/Budapest',
  key: 'timezone',
  meta: {
    href: TIMEZONE,
    parent: '/api/configuration/datetime',
    first: '/api/configuration/datetime/ntp_servers',
    last: TIMEZONE,
    previous: '/api/configuration/datetime/ntp_servers',
    next: null,
    transaction: '/api/transaction',
  },
};
const unauthenticated = (path: string): unknown => ({
  error: { type: 'Unauthenticated', message: 'Log in first.', details: { path } },
  meta: { href: path, parent: '/api/configuration/datetime' },
});

function outcomes(check: CheckDefinition, ctx: CheckContext, ex: Exchange): string[] {
  return check.run(ctx, ex).map((r) => r.outcome);
}

describe('operation model', () => {
  it('derives operations, security, statuses, error types and parameter examples from the spec', () => {
    expect(model.operations).toHaveLength(20);
    expect(op('logIn').security).toBe('basicAuth');
    expect(op('getTimezone').security).toBe('sessionCookie');
    expect(op('getTimezone').sessionCookieName).toBe('session_id');
    expect(op('updateTimezone').statuses).toEqual([200, 201, 400, 401, 409]);
    expect(op('getTimezone').responses.find((r) => r.status === '401')?.errorTypes).toEqual(['Unauthenticated', 'AuthenticationFailure']);
    expect(op('logIn').responses.find((r) => r.status === '401')?.errorTypes).toEqual(['AuthenticationFailure']);
    expect(op('getClusterNode').pathParams.map((p) => [p.name, p.example])).toEqual([['nodeId', '46f97a58-4028-467d-9a22-9cfe78ae3e1c']]);
    expect(Object.keys(op('getTransaction').responses[0]!.json!.examples)).toEqual(['closed', 'legacyClosed']);
    expect(op('updateNtpServers').requestBody?.examples.default).toEqual([{ selection: 'ip', value: '192.0.2.123' }]);
  });
});

describe('status_code', () => {
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

describe('content_type', () => {
  it('wants JSON where JSON is documented, and a body that parses', () => {
    expect(outcomes(contentType, live, exchange('getTimezone', 200, goodTimezone))).toEqual(['passed']);
    expect(outcomes(contentType, live, exchange('getTimezone', 200, undefined, { contentType: 'text/html', raw: '<html></html>' }))).toEqual(['failed']);
    expect(outcomes(contentType, live, exchange('getTimezone', 200, undefined, { raw: '{not json' }))).toEqual(['failed']);
  });

  it('does not apply to undocumented statuses (status_code reports those)', () => {
    expect(contentType.run(live, exchange('getTimezone', 502, undefined, { contentType: 'text/html', raw: '<html>' }))).toEqual([]);
  });
});

describe('response_schema', () => {
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

describe('meta_links', () => {
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

describe('error_body', () => {
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

describe('auth_required', () => {
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

describe('auth_failure', () => {
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

describe('not_found', () => {
  it('wants 404 NotFound for a made-up id', () => {
    const path = '/api/cluster/nodes/2b0e1a3c-0000-4000-8000-000000000000';
    expect(outcomes(notFound, live, exchange('getClusterNode', 404, { error: { type: 'NotFound' } }, { probe: 'not_found', path }))).toEqual(['passed']);
    expect(outcomes(notFound, live, exchange('getClusterNode', 200, {}, { probe: 'not_found', path }))).toEqual(['failed']);
    expect(outcomes(notFound, live, exchange('getClusterNode', 404, { error: { type: 'Gone' } }, { probe: 'not_found', path }))).toEqual(['failed']);
  });
});

describe('drift', () => {
  it('reports undocumented properties as warnings, or failures when strict', () => {
    const extra = { ...goodTimezone, build: '7.4', meta: { ...goodTimezone.meta, shiny: true } };
    const [w] = drift.run(live, exchange('getTimezone', 200, extra));
    expect(w?.outcome).toBe('warning');
    expect(w?.message).toContain('build');
    expect(w?.message).toContain('meta.shiny');
    expect(outcomes(drift, { ...live, strict: true }, exchange('getTimezone', 200, extra))).toEqual(['failed']);
    expect(outcomes(drift, live, exchange('getTimezone', 200, goodTimezone))).toEqual(['passed']);
  });

  it('follows oneOf branches and array items, and leaves free-form values alone', () => {
    const legacyWithExtra = { key: 'transaction', meta: { href: '/api/transaction' }, transaction: { status: 'open', holder: 'x' } };
    expect(drift.run(live, exchange('getTransaction', 200, legacyWithExtra))[0]?.message).toContain('transaction.holder');
    const ntp = {
      body: [{ selection: 'ip', value: '192.0.2.1', prefer: true }],
      key: 'ntp_servers',
      meta: { href: '/api/configuration/datetime/ntp_servers' },
    };
    expect(drift.run(live, exchange('getNtpServers', 200, ntp))[0]?.message).toContain('body[0].prefer');
    const written = { key: 'timezone', body: { anything: { goes: 1 } }, meta: { href: TIMEZONE } };
    expect(outcomes(drift, live, exchange('updateTimezone', 200, written))).toEqual(['passed']);
  });
});

describe('response_headers', () => {
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
