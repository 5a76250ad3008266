import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { rejectionOf } from '../helpers/rejection.js';
import { createSpsClient, SpsApiError, type SpsClient, type SpsClientOptions } from '../../src/client/index.js';
import { sendJson, startFakeSps, type FakeSps, type FakeSpsOptions } from '../helpers/fake-sps.js';

const PASSWORD = 'pässwörd-Ω-42';
const TIMEZONE = '/api/configuration/datetime/timezone';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(serverOptions: FakeSpsOptions = {}, clientOptions: Partial<SpsClientOptions> = {}): Promise<{ sps: FakeSps; client: SpsClient }> {
  const sps = await startFakeSps({ users: { admin: PASSWORD }, ...serverOptions });
  cleanups.push(() => sps.close());
  const client = createSpsClient({ baseUrl: sps.url, username: 'admin', password: PASSWORD, ...clientOptions });
  cleanups.push(() => client.close());
  return { sps, client };
}

const rejection = (p: Promise<unknown>): Promise<SpsApiError> => rejectionOf(p, SpsApiError);

describe('login and session cookie', () => {
  it('logs in lazily once and sends the session_id cookie on every later request', async () => {
    const { sps, client } = await setup();
    expect(sps.logins).toBe(0);
    const first = await client.GET(TIMEZONE);
    await client.GET('/api');
    await client.GET('/api/transaction');
    expect(first.data).toMatchObject({ body: 'Europe/Budapest', key: 'timezone' });
    expect(sps.logins).toBe(1);
    expect(client.loginCount).toBe(1);
    const sid = sps.issuedSessions[0];
    const others = sps.requests.filter((r) => r.path !== '/api/authentication');
    expect(others).toHaveLength(3);
    for (const r of others) expect(r.sessionId).toBe(sid);
  });

  it('logs in with GET /api/authentication and HTTP Basic over the UTF-8 user:password', async () => {
    const { sps, client } = await setup();
    await client.login();
    const [login] = sps.requestsTo('GET', '/api/authentication');
    const expected = `Basic ${Buffer.from(`admin:${PASSWORD}`, 'utf8').toString('base64')}`;
    expect(login?.headers.authorization).toBe(expected);
    expect(login?.headers.cookie).toBeUndefined();
    expect(client.loggedIn).toBe(true);
  });

  it('sends login_method on the login request when configured', async () => {
    const { sps, client } = await setup({}, { loginMethod: 'local' });
    await client.GET('/api');
    const [login] = sps.requestsTo('GET', '/api/authentication');
    expect(new URL(login?.url ?? '', 'http://x').searchParams.get('login_method')).toBe('local');
  });

  it('concurrent first requests share a single login', async () => {
    const { sps, client } = await setup({ loginDelayMs: 150 });
    const results = await Promise.all([client.GET(TIMEZONE), client.GET('/api'), client.GET('/api/transaction'), client.GET(TIMEZONE)]);
    expect(results.every((r) => r.response.status === 200)).toBe(true);
    expect(sps.logins).toBe(1);
    expect(client.loginCount).toBe(1);
  });

  it('sends a non-browser User-Agent with the package version and Accept: application/json', async () => {
    const { sps, client } = await setup();
    await client.GET('/api');
    await client.transactions.open();
    const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
    expect(sps.requests.length).toBe(3);
    for (const r of sps.requests) {
      expect(r.headers['user-agent']).toBe(`sps-contract/${version}`);
      expect(r.headers.accept).toBe('application/json');
    }
  });

  it('login() logs in again and later requests use the new session', async () => {
    const { sps, client } = await setup();
    await client.GET('/api');
    await client.login();
    await client.GET('/api');
    expect(sps.logins).toBe(2);
    expect(client.loginCount).toBe(2);
    expect(sps.requestsTo('GET', '/api').map((r) => r.sessionId)).toEqual(sps.issuedSessions);
  });
});

describe('expired session (401 Unauthenticated)', () => {
  it('logs in again once and retries a GET', async () => {
    const { sps, client } = await setup();
    await client.GET(TIMEZONE);
    sps.expireSessions();
    const again = await client.GET(TIMEZONE);
    expect(again.data).toMatchObject({ body: 'Europe/Budapest' });
    expect(sps.logins).toBe(2);
    const calls = sps.requestsTo('GET', TIMEZONE);
    expect(calls).toHaveLength(3);
    expect(calls.map((c) => c.sessionId)).toEqual([sps.issuedSessions[0], sps.issuedSessions[0], sps.issuedSessions[1]]);
  });

  it('retries a PUT with the same body', async () => {
    const { sps, client } = await setup();
    await client.GET('/api');
    sps.expireSessions();
    await client.PUT(TIMEZONE, { body: 'UTC' });
    const puts = sps.requestsTo('PUT', TIMEZONE);
    expect(puts.map((p) => p.body)).toEqual(['"UTC"', '"UTC"']);
    expect(sps.timezone).toBe('UTC');
  });

  it('concurrent requests hitting the expiry share one re-login', async () => {
    const { sps, client } = await setup({ loginDelayMs: 50 });
    await client.GET('/api');
    sps.expireSessions();
    await Promise.all([client.GET('/api'), client.GET(TIMEZONE), client.GET('/api/transaction')]);
    expect(sps.logins).toBe(2);
  });

  it('does not retry a POST, but the next request logs in again', async () => {
    const { sps, client } = await setup();
    await client.GET('/api');
    sps.expireSessions();
    const err = await rejection(client.POST('/api/configuration/datetime/ntp_servers', { body: { selection: 'ip', value: '192.0.2.1' } }));
    expect(err.status).toBe(401);
    expect(err.type).toBe('Unauthenticated');
    expect(sps.requestsTo('POST', '/api/configuration/datetime/ntp_servers')).toHaveLength(1);
    expect(sps.logins).toBe(1);
    await client.GET('/api');
    expect(sps.logins).toBe(2);
  });

  it('retries only once when the new session is rejected too', async () => {
    const { sps, client } = await setup();
    sps.override('GET', '/api/configuration', ({ res }) =>
      sendJson(res, 401, { error: { type: 'Unauthenticated', message: 'no', details: { path: '/api/configuration' } } }),
    );
    const err = await rejection(client.GET('/api/configuration'));
    expect(err.status).toBe(401);
    expect(err.type).toBe('Unauthenticated');
    expect(sps.requestsTo('GET', '/api/configuration')).toHaveLength(2);
    expect(sps.logins).toBe(2);
  });

  it('does not log in again on a 401 of another type', async () => {
    const { sps, client } = await setup();
    sps.override('GET', '/api/configuration', ({ res }) => sendJson(res, 401, { error: { type: 'SomethingElse', message: 'no' } }));
    const err = await rejection(client.GET('/api/configuration'));
    expect(err.type).toBe('SomethingElse');
    expect(sps.logins).toBe(1);
    expect(sps.requestsTo('GET', '/api/configuration')).toHaveLength(1);
  });
});

describe('login failures', () => {
  it('wrong credentials -> SpsApiError 401 AuthenticationFailure, one login attempt, no retry loop', async () => {
    const { sps, client } = await setup({}, { password: 'wrong-password' });
    const err = await rejection(client.GET('/api'));
    expect(err.status).toBe(401);
    expect(err.type).toBe('AuthenticationFailure');
    expect(err.method).toBe('GET');
    expect(err.path).toBe('/api/authentication');
    expect(sps.logins).toBe(1);
    expect(sps.requestsTo('GET', '/api')).toHaveLength(0);
    const again = await rejection(client.login());
    expect(again.type).toBe('AuthenticationFailure');
    expect(sps.logins).toBe(2);
  });

  it('a 200 login without a session_id cookie is an error that points at clock sync', async () => {
    const { sps, client } = await setup();
    sps.override('GET', '/api/authentication', ({ res }) => sendJson(res, 200, { meta: { href: '/api/authentication' } }));
    const err = await rejection(client.GET('/api'));
    expect(err.status).toBe(200);
    expect(err.message).toMatch(/session_id/);
    expect(err.message).toMatch(/clock/);
    expect(client.loggedIn).toBe(false);
  });
});
