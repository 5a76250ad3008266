/**
 * The checks are pure functions of (operation model, recorded exchange): each one is shown
 * here to pass on a conformant answer and to fail on an answer that breaks its rule.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  authFailure,
  authRequired,
  contentTypeConformance,
  drift,
  errorBodyConformance,
  metaConformance,
  notFound,
  responseSchemaConformance,
  setsCookie,
  statusCodeConformance,
} from '../../src/conformance/checks/index.js';
import type { CheckContext, Exchange, ExchangeCheck, ProbeKind } from '../../src/conformance/types.js';
import { loadSpec, type OperationModel } from '../../src/spec/model.js';
import { createValidator } from '../../src/spec/validate.js';

const model = loadSpec(fileURLToPath(new URL('../conformance/fixtures/mini-spec.yaml', import.meta.url)));
const validator = createValidator(model);
const live: CheckContext = { model, validator, target: 'live', strict: false, sessionCookieName: 'session_id' };
const mock: CheckContext = { ...live, target: 'mock' };

function op(id: string): OperationModel {
  const found = model.operation(id);
  if (!found) throw new Error(`no ${id} in the fixture`);
  return found;
}

function parseOrUndefined(text: string): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return undefined;
  }
}

function exchange(
  operationId: string,
  status: number,
  body: unknown,
  opts: { path?: string; contentType?: string; probe?: ProbeKind; setCookies?: string[]; requestedStatus?: number; raw?: string } = {},
): Exchange {
  const o = op(operationId);
  const contentType = opts.contentType ?? 'application/json';
  const bodyText = opts.raw ?? (body === undefined ? '' : JSON.stringify(body));
  return {
    node: 'node1',
    target: 'live',
    op: o,
    probe: opts.probe ?? 'normal',
    method: o.method,
    path: opts.path ?? o.path,
    ...(opts.requestedStatus !== undefined ? { requestedStatus: opts.requestedStatus } : {}),
    response: {
      status,
      headers: { 'content-type': contentType },
      setCookies: opts.setCookies ?? [],
      bodyText,
      json: contentType.includes('json') ? parseOrUndefined(bodyText) : undefined,
      durationMs: 1,
    },
    curl: 'curl ...',
  };
}

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

function outcomes(check: ExchangeCheck, ctx: CheckContext, ex: Exchange): string[] {
  return check(ctx, ex).map((r) => r.outcome);
}

describe('operation model', () => {
  it('derives operations, security, statuses, error types and parameter examples from the spec', () => {
    expect(model.operations).toHaveLength(18);
    expect(op('logIn').security).toBe('basicAuth');
    expect(op('getTimezone').security).toBe('sessionCookie');
    expect(op('getTimezone').sessionCookieName).toBe('session_id');
    expect(op('updateTimezone').statuses).toEqual([200, 201, 400, 401, 409]);
    expect(op('getTimezone').responses.find((r) => r.status === '401')?.errorTypes).toEqual(['Unauthenticated', 'AuthenticationFailure']);
    expect(op('logIn').responses.find((r) => r.status === '401')?.errorTypes).toEqual(['AuthenticationFailure']);
    expect(op('getClusterNode').pathParams.map((p) => [p.name, p.example])).toEqual([['nodeId', '46f97a58-4028-467d-9a22-9cfe78ae3e1c']]);
    expect(Object.keys(op('getTransaction').responses[0]!.json!.examples)).toEqual(['closed', 'legacyClosed']);
    expect(op('updateNtpServers').requestBody?.examples['default']).toEqual([{ selection: 'ip', value: '192.0.2.123' }]);
  });
});

describe('status_code_conformance', () => {
  it('passes a documented status and fails an undocumented one, naming both', () => {
    expect(outcomes(statusCodeConformance, live, exchange('getTimezone', 200, goodTimezone))).toEqual(['passed']);
    const [r] = statusCodeConformance(live, exchange('getTimezone', 418, { error: { type: 'Teapot' } }));
    expect(r?.outcome).toBe('failed');
    expect(r?.message).toContain('418');
    expect(r?.message).toContain('200, 401, 403');
  });

  it('fails when the mock does not produce the status that was asked for', () => {
    const [r] = statusCodeConformance(mock, exchange('getTimezone', 422, {}, { requestedStatus: 403 }));
    expect(r?.outcome).toBe('failed');
    expect(r?.message).toMatch(/403.*422/);
  });

  it('fails when there was no HTTP answer at all', () => {
    const ex = { ...exchange('getTimezone', 200, goodTimezone), response: undefined, error: { kind: 'timeout', message: 'no complete response within 100 ms' } };
    const [r] = statusCodeConformance(live, ex);
    expect(r?.outcome).toBe('failed');
    expect(r?.message).toContain('timeout');
  });
});

describe('content_type_conformance', () => {
  it('wants JSON where JSON is documented, and a body that parses', () => {
    expect(outcomes(contentTypeConformance, live, exchange('getTimezone', 200, goodTimezone))).toEqual(['passed']);
    expect(outcomes(contentTypeConformance, live, exchange('getTimezone', 200, undefined, { contentType: 'text/html', raw: '<html></html>' }))).toEqual(['failed']);
    expect(outcomes(contentTypeConformance, live, exchange('getTimezone', 200, undefined, { raw: '{not json' }))).toEqual(['failed']);
  });

  it('does not apply to undocumented statuses (status_code_conformance reports those)', () => {
    expect(contentTypeConformance(live, exchange('getTimezone', 502, undefined, { contentType: 'text/html', raw: '<html>' }))).toEqual([]);
  });
});

describe('response_schema_conformance', () => {
  it('validates the body against the schema of that operation and status', () => {
    expect(outcomes(responseSchemaConformance, live, exchange('getTimezone', 200, goodTimezone))).toEqual(['passed']);
    const [r] = responseSchemaConformance(live, exchange('getTimezone', 200, { ...goodTimezone, body: 42 }));
    expect(r?.outcome).toBe('failed');
    expect(r?.message).toContain('/body: must be string');
  });

  it('validates both documented transaction shapes (oneOf)', () => {
    const legacy = { key: 'transaction', meta: { href: '/api/transaction', parent: '/api' }, transaction: { status: 'closed' } };
    expect(outcomes(responseSchemaConformance, live, exchange('getTransaction', 200, legacy))).toEqual(['passed']);
    expect(outcomes(responseSchemaConformance, live, exchange('getTransaction', 200, { key: 'transaction', meta: { href: '/api/transaction' } }))).toEqual(['failed']);
  });
});

describe('meta_conformance', () => {
  it('passes when href is the requested path and the links agree', () => {
    expect(outcomes(metaConformance, live, exchange('getTimezone', 200, goodTimezone, { path: TIMEZONE }))).toEqual(['passed']);
  });

  it('fails a wrong href, a wrong parent and a sibling under another parent', () => {
    const wrongHref = structuredClone(goodTimezone);
    wrongHref.meta.href = '/api/configuration/datetime/ntp_servers';
    expect(metaConformance(live, exchange('getTimezone', 200, wrongHref, { path: TIMEZONE }))[0]?.message).toContain('requested path');
    const wrongParent = structuredClone(goodTimezone);
    wrongParent.meta.parent = '/api';
    expect(metaConformance(live, exchange('getTimezone', 200, wrongParent, { path: TIMEZONE }))[0]?.message).toContain('meta.parent');
    const strayed = structuredClone(goodTimezone) as unknown as { meta: Record<string, unknown> };
    strayed.meta.next = '/api/cluster/nodes';
    const [r] = metaConformance(live, exchange('getTimezone', 200, strayed, { path: TIMEZONE }));
    expect(r?.outcome).toBe('failed');
    expect(r?.message).toContain('meta.next');
  });

  it('against the mock, wants an href that is a path of the API instead of the requested one', () => {
    const shared = { ...goodTimezone, meta: { ...goodTimezone.meta, href: '/api/configuration/datetime/ntp_servers', previous: null, next: TIMEZONE } };
    expect(outcomes(metaConformance, mock, exchange('getTimezone', 200, shared, { path: TIMEZONE }))).toEqual(['passed']);
    const unknown = { ...goodTimezone, meta: { href: '/api/nowhere/at/all' } };
    expect(outcomes(metaConformance, mock, exchange('getTimezone', 200, unknown, { path: TIMEZONE }))).toEqual(['failed']);
  });
});

describe('error_body_conformance', () => {
  it('wants error.type of a kind documented for the status', () => {
    expect(outcomes(errorBodyConformance, live, exchange('getTimezone', 401, unauthenticated(TIMEZONE)))).toEqual(['passed']);
    expect(outcomes(errorBodyConformance, live, exchange('getTimezone', 401, { error: { message: 'no type' } }))).toEqual(['failed']);
    const [r] = errorBodyConformance(live, exchange('getTimezone', 403, { error: { type: 'NotFound' } }));
    expect(r?.outcome).toBe('failed');
    expect(r?.message).toContain('documented for 403: Unauthorized');
  });

  it('does not apply to successes', () => {
    expect(errorBodyConformance(live, exchange('getTimezone', 200, goodTimezone))).toEqual([]);
  });
});

describe('auth_required', () => {
  it('wants 401 Unauthenticated without a session and with a made-up one', () => {
    expect(outcomes(authRequired, live, exchange('getTimezone', 401, unauthenticated(TIMEZONE), { probe: 'no_session' }))).toEqual(['passed']);
    const [accepted] = authRequired(live, exchange('getTimezone', 200, goodTimezone, { probe: 'made_up_session' }));
    expect(accepted?.outcome).toBe('failed');
    expect(accepted?.message).toContain('made-up session');
    const wrongType = { error: { type: 'AuthenticationFailure' } };
    expect(outcomes(authRequired, live, exchange('getTimezone', 401, wrongType, { probe: 'no_session' }))).toEqual(['failed']);
  });

  it('only looks at auth probes', () => {
    expect(authRequired(live, exchange('getTimezone', 200, goodTimezone))).toEqual([]);
  });
});

describe('auth_failure', () => {
  const failure = { error: { type: 'AuthenticationFailure', message: 'no' }, meta: { href: '/api/authentication', parent: '/api' } };
  it('wants 401 AuthenticationFailure and no session cookie', () => {
    expect(outcomes(authFailure, live, exchange('logIn', 401, failure, { probe: 'wrong_password' }))).toEqual(['passed']);
    expect(outcomes(authFailure, live, exchange('logIn', 401, failure, { probe: 'wrong_password', setCookies: ['session_id=abc; Path=/'] }))).toEqual(['failed']);
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
    const [w] = drift(live, exchange('getTimezone', 200, extra));
    expect(w?.outcome).toBe('warning');
    expect(w?.message).toContain('build');
    expect(w?.message).toContain('meta.shiny');
    expect(outcomes(drift, { ...live, strict: true }, exchange('getTimezone', 200, extra))).toEqual(['failed']);
    expect(outcomes(drift, live, exchange('getTimezone', 200, goodTimezone))).toEqual(['passed']);
  });

  it('follows oneOf branches and array items, and leaves free-form values alone', () => {
    const legacyWithExtra = { key: 'transaction', meta: { href: '/api/transaction' }, transaction: { status: 'open', holder: 'x' } };
    expect(drift(live, exchange('getTransaction', 200, legacyWithExtra))[0]?.message).toContain('transaction.holder');
    const ntp = { body: [{ selection: 'ip', value: '192.0.2.1', prefer: true }], key: 'ntp_servers', meta: { href: '/api/configuration/datetime/ntp_servers' } };
    expect(drift(live, exchange('getNtpServers', 200, ntp))[0]?.message).toContain('body[0].prefer');
    const written = { key: 'timezone', body: { anything: { goes: 1 } }, meta: { href: TIMEZONE } };
    expect(outcomes(drift, live, exchange('updateTimezone', 200, written))).toEqual(['passed']);
  });
});
