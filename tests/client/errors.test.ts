import { afterEach, describe, expect, it } from 'vitest';
import { rejectionOf } from '../helpers/rejection.js';
import { createSpsClient, EXCERPT_LENGTH, SpsApiError, type SpsClient } from '../../src/client/index.js';
import { TransportError } from '../../src/http/transport.js';
import { sendJson, startFakeSps, type FakeSps } from '../helpers/fake-sps.js';
import { refusedUrl, startTcpServer } from '../helpers/servers.js';

const PASSWORD = 'Plant3d-Pa55w0rd-XYZ';
const BASIC_TOKEN = Buffer.from(`admin:${PASSWORD}`, 'utf8').toString('base64');
const PSK = 'Join-PSK-Secret-9f8e7d';
const TIMEZONE = '/api/configuration/datetime/timezone';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(timeoutMs?: number): Promise<{ sps: FakeSps; client: SpsClient }> {
  const sps = await startFakeSps({ users: { admin: PASSWORD } });
  cleanups.push(() => sps.close());
  const client = createSpsClient({
    baseUrl: sps.url,
    username: 'admin',
    password: PASSWORD,
    ...(timeoutMs ? { timeoutMs } : {}),
  });
  cleanups.push(() => client.close());
  return { sps, client };
}

function clientFor(baseUrl: string, timeoutMs?: number): SpsClient {
  const client = createSpsClient({ baseUrl, username: 'admin', password: PASSWORD, ...(timeoutMs ? { timeoutMs } : {}) });
  cleanups.push(() => client.close());
  return client;
}

const rejection = (p: Promise<unknown>): Promise<SpsApiError> => rejectionOf(p, SpsApiError);

/** Every text an error exposes. */
function exposed(err: SpsApiError): string {
  return [err.message, err.serverMessage ?? '', err.bodyExcerpt ?? '', JSON.stringify(err.details ?? null), String(err.stack)].join('\n');
}

describe('error responses become SpsApiError', () => {
  it('an HTML 502 page from a proxy -> status 502, no type, an excerpt of the page', async () => {
    const { sps, client } = await setup();
    sps.override('GET', TIMEZONE, ({ res }) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>');
    });
    const err = await rejection(client.GET(TIMEZONE));
    expect(err.status).toBe(502);
    expect(err.type).toBeUndefined();
    expect(err.method).toBe('GET');
    expect(err.path).toBe(TIMEZONE);
    expect(err.bodyExcerpt).toContain('<title>502 Bad Gateway</title>');
    expect(err.message).toContain('502');
    expect(err.message).toContain('text/html');
  });

  it('cuts the excerpt to about 200 characters', async () => {
    const { sps, client } = await setup();
    sps.override('GET', TIMEZONE, ({ res }) => {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('x'.repeat(5000));
    });
    const err = await rejection(client.GET(TIMEZONE));
    expect(err.status).toBe(503);
    expect(err.bodyExcerpt?.startsWith('x'.repeat(EXCERPT_LENGTH))).toBe(true);
    expect(err.bodyExcerpt?.length).toBe(EXCERPT_LENGTH + 1);
  });

  it('a 200 with invalid JSON -> SpsApiError, not a SyntaxError', async () => {
    const { sps, client } = await setup();
    sps.override('GET', TIMEZONE, ({ res }) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"body": "Europe/Bud');
    });
    const err = await rejection(client.GET(TIMEZONE));
    expect(err.status).toBe(200);
    expect(err.message).toMatch(/not valid JSON/);
    expect(err.bodyExcerpt).toBe('{"body": "Europe/Bud');
  });

  it('a 200 with an HTML body -> SpsApiError', async () => {
    const { sps, client } = await setup();
    sps.override('GET', TIMEZONE, ({ res }) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>login page</html>');
    });
    const err = await rejection(client.GET(TIMEZONE));
    expect(err.status).toBe(200);
    expect(err.message).toContain('non-JSON');
  });

  it('an unexpected redirect -> SpsApiError with its status', async () => {
    const { sps, client } = await setup();
    sps.override('GET', TIMEZONE, ({ res }) => {
      res.writeHead(302, { location: '/login' });
      res.end();
    });
    const err = await rejection(client.GET(TIMEZONE));
    expect(err.status).toBe(302);
  });

  it('an SPS error body gives type, server message and details', async () => {
    const { client } = await setup();
    const err = await rejection(client.GET('/api/configuration/policies/backup_policies/{policyId}', { params: { path: { policyId: 'nope' } } }));
    expect(err.status).toBe(404);
    expect(err.type).toBe('NotFound');
    expect(err.serverMessage).toBe('The requested object does not exist');
    expect(err.details).toEqual({ path: '/api/configuration/policies/backup_policies/nope' });
    expect(err.message).toContain('NotFound');
  });
});

describe('transport failures become SpsApiError with status 0', () => {
  it('connection refused', async () => {
    const client = clientFor(await refusedUrl());
    const err = await rejection(client.GET('/api'));
    expect(err.status).toBe(0);
    expect(err.cause).toBeInstanceOf(TransportError);
    expect(err.transportError?.kind).toBe('connection');
    expect(err.path).toBe('/api/authentication');
  });

  it('a server that never answers times out within the bound', async () => {
    const hang = await startTcpServer(() => undefined);
    cleanups.push(() => hang.close());
    const client = clientFor(hang.url, 300);
    const started = Date.now();
    const err = await rejection(client.GET('/api'));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(err.status).toBe(0);
    expect(err.transportError?.kind).toBe('timeout');
  });

  it('a request that hangs after login times out as that request', async () => {
    const { sps, client } = await setup(400);
    sps.override('GET', TIMEZONE, () => undefined);
    const err = await rejection(client.GET(TIMEZONE));
    expect(err.status).toBe(0);
    expect(err.transportError?.kind).toBe('timeout');
    expect(err.path).toBe(TIMEZONE);
    expect(err.method).toBe('GET');
  });
});

describe('secrets never appear in errors', () => {
  it('password, Basic token and session id echoed by the server are redacted', async () => {
    const { sps, client } = await setup();
    sps.override('PUT', TIMEZONE, ({ req, res }) => {
      const sid = /session_id=([0-9a-f]+)/.exec(req.headers.cookie ?? '')?.[1] ?? '';
      sendJson(res, 400, {
        error: {
          type: 'SemanticError',
          message: `session ${sid} of admin:${PASSWORD} rejected`,
          details: { authorization: req.headers.authorization ?? `Basic ${BASIC_TOKEN}`, cookie: req.headers.cookie, session: sid },
        },
      });
    });
    const err = await rejection(client.PUT(TIMEZONE, { body: 'UTC' }));
    const sid = sps.issuedSessions[0] ?? 'missing';
    const text = exposed(err);
    expect(err.type).toBe('SemanticError');
    for (const secret of [PASSWORD, BASIC_TOKEN, sid]) expect(text).not.toContain(secret);
    // Redaction happened (placeholders), rather than the parts being dropped.
    expect(err.serverMessage).toBe('session <session_id> of <password> rejected');
    expect(err.details).toMatchObject({ cookie: 'session_id=<session_id>', session: '<session_id>' });
  });

  it('a PSK the client sent is redacted when the server echoes it', async () => {
    const { sps, client } = await setup();
    sps.override('POST', '/api/cluster/nodes', ({ res, body }) => {
      const sent = (JSON.parse(body) as { psk: string }).psk;
      sendJson(res, 400, {
        error: { type: 'SemanticError', message: `join with ${sent} failed`, details: { psk: sent, echo: body } },
      });
    });
    const node = { address: '192.0.2.11', node_id: '0c9d7a52-3f0e-4c55-9a54-5d1f8f8f2a11', psk: PSK, roles: [] };
    const err = await rejection(client.POST('/api/cluster/nodes', { body: node }));
    expect(sps.requestsTo('POST', '/api/cluster/nodes')[0]?.body).toContain(PSK);
    expect(exposed(err)).not.toContain(PSK);
    expect(err.serverMessage).toBe('join with <redacted> failed');
    expect(err.details).toEqual({ psk: '<redacted>', echo: JSON.stringify({ ...node, psk: '<redacted>' }) });
  });

  it('a PSK received in a response is redacted from later errors', async () => {
    const { sps, client } = await setup();
    sps.override('POST', '/api/cluster/join_request', ({ res }) =>
      sendJson(res, 201, {
        body: { address: '192.0.2.12', node_id: '1c9d7a52-3f0e-4c55-9a54-5d1f8f8f2a12', psk: PSK, roles: [] },
        meta: { href: '/api/cluster/join_request' },
      }),
    );
    sps.override('GET', '/api/cluster/join_request', ({ res }) => sendJson(res, 409, { error: { type: 'Conflict', message: `request ${PSK} pending` } }));
    const { data } = await client.POST('/api/cluster/join_request', { body: { central_management_address: '192.0.2.1' } });
    expect(data?.body.psk).toBe(PSK);
    const err = await rejection(client.GET('/api/cluster/join_request'));
    expect(err.status).toBe(409);
    expect(exposed(err)).not.toContain(PSK);
    expect(err.serverMessage).toBe('request <redacted> pending');
  });

  it('an HTML error page echoing the credentials is redacted in the excerpt', async () => {
    const { sps, client } = await setup();
    sps.override('GET', TIMEZONE, ({ req, res }) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end(`<pre>${req.headers.cookie ?? ''} ${PASSWORD}</pre>`);
    });
    const err = await rejection(client.GET(TIMEZONE));
    const sid = sps.issuedSessions[0] ?? 'missing';
    expect(exposed(err)).not.toContain(sid);
    expect(exposed(err)).not.toContain(PASSWORD);
    expect(err.bodyExcerpt).toBe('<pre>session_id=<session_id> <password></pre>');
  });

  it('a login failure echoing the password does not leak it', async () => {
    const { sps, client } = await setup();
    sps.override('GET', '/api/authentication', ({ req, res }) =>
      sendJson(res, 401, {
        error: { type: 'AuthenticationFailure', message: `bad credentials ${req.headers.authorization ?? ''} (${PASSWORD})` },
      }),
    );
    const err = await rejection(client.GET('/api'));
    expect(err.type).toBe('AuthenticationFailure');
    expect(exposed(err)).not.toContain(PASSWORD);
    expect(exposed(err)).not.toContain(BASIC_TOKEN);
  });
});
