import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/simulator/index.js';
import { ADMIN, specChildren, startTestSim, type TestSim } from './helpers.js';

let t: TestSim | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('simulator: authentication and sessions', () => {
  it('logs in once with Basic credentials and answers later calls with the session cookie', async () => {
    t = await startTestSim();
    const c = t.client();
    const login = await c.login(ADMIN);
    expect(login.status).toBe(200);
    expect(login.json).toEqual({ meta: { href: '/api/authentication', parent: '/api', transaction: '/api/transaction' } });
    expect(login.setCookies).toHaveLength(1);
    expect(login.setCookies[0]).toMatch(/^session_id=[0-9a-f]{40}; Path=\/; HttpOnly; Secure$/);

    const api = await c.get('/api');
    expect(api.status).toBe(200);
    expect(api.json.items.map((i: { key: string }) => i.key)).toEqual(specChildren('/api'));
    const dt = await c.get('/api/configuration/datetime');
    expect(dt.status).toBe(200);

    const node = t.node(0);
    expect(node.stats.logins).toBe(1);
    expect(node.stats.requests).toBe(3);
    expect(node.stats.byMethod.GET).toBe(3);
    expect(node.stats.writes).toBe(0);
    expect(node.state.sessionCount()).toBe(1);
  });

  it('does not mark the cookie Secure over plain HTTP', async () => {
    t = await startTestSim({ https: false });
    expect(t.sim.caFile).toBeUndefined();
    expect(t.node(0).url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const login = await t.client().login();
    expect(login.setCookies[0]).toMatch(/^session_id=[0-9a-f]{40}; Path=\/; HttpOnly$/);
  });

  it('rejects a wrong password with AuthenticationFailure and sets no cookie', async () => {
    t = await startTestSim();
    const c = t.client();
    const r = await c.login({ username: ADMIN.username, password: 'wrong' });
    expect(r.status).toBe(401);
    expect(r.setCookies).toEqual([]);
    expect(r.json.error.type).toBe('AuthenticationFailure');
    expect(r.json.error.details).toEqual({});
    expect(r.json.meta).toEqual({ href: '/api/authentication', parent: '/api' });

    const noBasic = await c.raw('GET', '/api/authentication');
    expect(noBasic.status).toBe(401);
    expect(noBasic.json.error.type).toBe('AuthenticationFailure');
    expect(noBasic.setCookies).toEqual([]);
    expect(t.node(0).stats.logins).toBe(0);
    expect(t.node(0).stats.loginFailures).toBe(2);
    // The Basic challenge the Java SDK relies on, with and without credentials.
    for (const res of [r, noBasic]) expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="[^"]+"$/);
  });

  it('does not challenge a successful login or a missing session', async () => {
    t = await startTestSim();
    const c = t.client();
    expect((await c.get('/api')).headers.get('www-authenticate')).toBeNull();
    expect((await c.login()).headers.get('www-authenticate')).toBeNull();
  });

  it('counts failed logins per user name sent, unknown names included', async () => {
    t = await startTestSim();
    const c = t.client();
    await c.login({ username: ADMIN.username, password: 'wrong' });
    await c.login({ username: ADMIN.username, password: 'wrong again' });
    await c.login({ username: 'sps-conformance-probe-1a2b', password: 'x' });
    await c.raw('GET', '/api/authentication'); // no credentials: no name to count under
    expect((await c.login(ADMIN)).status).toBe(200);
    const { stats } = t.node(0);
    expect(stats.failedLogins).toEqual({ admin: 2, 'sps-conformance-probe-1a2b': 1 });
    expect(stats.loginFailures).toBe(4);
    t.node(0).resetStats();
    expect(t.node(0).stats.failedLogins).toEqual({});
  });

  it('acceptAnyPassword: any password logs in, a configured name as that user, another name read-only', async () => {
    t = await startTestSim({ behaviour: { acceptAnyPassword: true } });
    const c = t.client();
    const wrong = await c.login({ username: ADMIN.username, password: 'not the password' });
    expect(wrong.status).toBe(200);
    expect(wrong.setCookies[0]).toMatch(/^session_id=[0-9a-f]{40};/);
    const probe = t.client();
    expect((await probe.login({ username: 'sps-conformance-probe-1a2b', password: 'x' })).status).toBe(200);
    expect((await probe.get('/api/configuration/datetime')).status).toBe(200);
    // The made-up name gets a read-only account: its writes are still refused.
    expect((await probe.raw('POST', '/api/transaction', { body: '' })).status).toBe(403);
    expect((await t.client().raw('GET', '/api/authentication')).status).toBe(401); // no credentials at all
    expect(t.node(0).stats.failedLogins).toEqual({});
    // Off again: the contract holds.
    t.node(0).setBehaviour({ acceptAnyPassword: undefined });
    expect((await t.client().login({ username: ADMIN.username, password: 'not the password' })).status).toBe(401);
  });

  it('lists the login methods without a session', async () => {
    t = await startTestSim();
    const r = await t.client().get('/api/authentication/login_methods');
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      login_methods: [{ name: 'local', type: 'password' }],
      meta: { href: '/api/authentication/login_methods', parent: '/api/authentication' },
    });
    expect(r.setCookies).toEqual([]);
  });

  it('answers 401 Unauthenticated with details.path without a valid session', async () => {
    t = await startTestSim();
    const c = t.client();
    const none = await c.get('/api/configuration/datetime/timezone');
    expect(none.status).toBe(401);
    expect(none.json).toMatchObject({
      error: { type: 'Unauthenticated', details: { path: '/api/configuration/datetime/timezone' } },
      meta: { href: '/api/configuration/datetime/timezone', parent: '/api/configuration/datetime' },
    });
    c.cookie = `session_id=${'0'.repeat(40)}`;
    const unknown = await c.get('/api/cluster');
    expect(unknown.status).toBe(401);
    expect(unknown.json.error.details.path).toBe('/api/cluster');
    // Unknown paths do not reveal themselves before authentication either.
    const unknownPath = await c.get('/api/nothing/here');
    expect(unknownPath.status).toBe(401);
  });

  it('expires a session after 20 idle minutes; activity slides the timeout', async () => {
    const clock = createManualClock();
    t = await startTestSim({ clock });
    const c = t.client();
    await c.login();
    clock.advance(19 * 60_000);
    expect((await c.get('/api')).status).toBe(200);
    clock.advance(19 * 60_000); // 38 minutes after login, 19 after the last call
    expect((await c.get('/api')).status).toBe(200);
    clock.advance(20 * 60_000);
    const expired = await c.get('/api');
    expect(expired.status).toBe(401);
    expect(expired.json.error.type).toBe('Unauthenticated');
    expect(t.node(0).state.sessionCount()).toBe(0);
  });

  it('answers 404 NotFound for unknown paths and 405 for unsupported methods', async () => {
    t = await startTestSim();
    const c = t.client();
    await c.login();
    const nf = await c.get('/api/configuration/nothing');
    expect(nf.status).toBe(404);
    expect(nf.json).toMatchObject({ error: { type: 'NotFound' }, meta: { href: '/api/configuration/nothing', parent: '/api/configuration' } });
    const del = await c.delete('/api/configuration/datetime/timezone');
    expect(del.status).toBe(405);
    expect(del.headers.get('allow')).toBe('GET, PUT');
    expect(del.json.error.type).toBe('MethodNotAllowed');
  });
});
