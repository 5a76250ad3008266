import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTransport } from '../../src/http/transport.js';
import { createSpsClient, SpsApiError, type SpsClient, type SpsClientOptions } from '../../src/client/index.js';
import { rejectionOf } from '../helpers/rejection.js';
import { clientPki, KEY_PASSPHRASE, startMiniSps, type ClientPki, type MiniSps, type MiniSpsOptions } from './mtls-sps.js';

let pki: ClientPki;
beforeAll(async () => {
  pki = await clientPki();
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function mtls(server: Partial<MiniSpsOptions> = {}, strict = false): Promise<MiniSps> {
  const sps = await startMiniSps({
    tls: { server: pki.server, ca: pki.ca, requestCert: true, rejectUnauthorized: strict },
    password: 'pw-of-admin',
    ...server,
  });
  cleanups.push(() => sps.close());
  return sps;
}

function client(sps: MiniSps, options: Partial<SpsClientOptions>): SpsClient {
  const c = createSpsClient({ baseUrl: sps.url, ca: pki.ca, ...options });
  cleanups.push(() => c.close());
  return c;
}

const rejection = (p: Promise<unknown>): Promise<SpsApiError> => rejectionOf(p, SpsApiError);

describe('certificate login (mutual TLS)', () => {
  it('logs in with GET /api/authentication?type=x509&login_method=<m>, the certificate, and no Authorization header', async () => {
    const sps = await mtls();
    const c = client(sps, { clientCert: pki.client.cert, clientKey: pki.client.key, loginMethod: 'certs' });
    expect(c.loginType).toBe('x509');
    const { data } = await c.GET('/api');
    expect(data).toMatchObject({ meta: { href: '/api' } });
    const [login, ...rest] = sps.seen;
    expect(login?.path).toBe('/api/authentication');
    expect([...(login?.query.entries() ?? [])]).toEqual([
      ['type', 'x509'],
      ['login_method', 'certs'],
    ]);
    expect(login?.headers.authorization).toBeUndefined();
    expect(login?.peerCn).toBe('sps-operator');
    expect(sps.logins).toBe(1);
    expect(rest.map((r) => [r.path, r.sessionId])).toEqual([['/api', sps.issued[0]]]);
  });

  it('sends only type=x509 when no loginMethod is given, and accepts Buffers (file contents)', async () => {
    const sps = await mtls();
    const c = client(sps, { clientCert: Buffer.from(pki.client.cert), clientKey: Buffer.from(pki.client.key) });
    await c.login();
    expect([...(sps.seen[0]?.query.entries() ?? [])]).toEqual([['type', 'x509']]);
    expect(c.loggedIn).toBe(true);
  });

  it('an explicit client.GET of the login path is a certificate login too', async () => {
    const sps = await mtls();
    const c = client(sps, { clientCert: pki.client.cert, clientKey: pki.client.key, loginMethod: 'certs' });
    await c.GET('/api/authentication');
    expect(sps.seen[0]?.query.get('type')).toBe('x509');
    expect(sps.seen[0]?.query.get('login_method')).toBe('certs');
    expect(sps.seen[0]?.headers.authorization).toBeUndefined();
    await c.GET('/api');
    expect(sps.logins).toBe(1);
    expect(sps.to('GET', '/api')[0]?.sessionId).toBe(sps.issued[0]);
  });

  it('reads an encrypted key with clientKeyPassphrase and redacts the passphrase', async () => {
    const sps = await mtls();
    const c = client(sps, {
      clientCert: pki.client.cert,
      clientKey: pki.encryptedClientKey,
      clientKeyPassphrase: KEY_PASSPHRASE,
    });
    await c.GET('/api');
    expect(sps.seen[0]?.peerCn).toBe('sps-operator');
    const redacted = c.secrets.redact(`passphrase ${KEY_PASSPHRASE} key ${pki.encryptedClientKey}`);
    expect(redacted).not.toContain(KEY_PASSPHRASE);
    expect(redacted).not.toContain('ENCRYPTED PRIVATE KEY');
  });

  it('a certificate the appliance refuses is an SpsApiError 401 AuthenticationFailure, sent once', async () => {
    const sps = await mtls();
    for (const pair of [pki.rogue, pki.otherUser]) {
      const before = sps.logins;
      const c = client(sps, { clientCert: pair.cert, clientKey: pair.key, loginMethod: 'certs' });
      const err = await rejection(c.GET('/api'));
      expect(err.status).toBe(401);
      expect(err.type).toBe('AuthenticationFailure');
      expect(err.path).toBe('/api/authentication');
      expect(sps.logins).toBe(before + 1);
      expect(c.loggedIn).toBe(false);
    }
    expect(sps.to('GET', '/api')).toHaveLength(0);
  });

  it('a server that refuses the certificate in the TLS handshake gives status 0, no login answered', async () => {
    const sps = await mtls({}, true);
    const c = client(sps, { clientCert: pki.rogue.cert, clientKey: pki.rogue.key });
    const err = await rejection(c.GET('/api'));
    expect(err.status).toBe(0);
    expect(err.transportError).toBeDefined();
    expect(sps.logins).toBe(0);
    const good = client(sps, { clientCert: pki.client.cert, clientKey: pki.client.key });
    await good.GET('/api');
    expect(sps.logins).toBe(1);
  });

  it('with a password as well, logs in with Basic and still presents the certificate', async () => {
    const sps = await mtls();
    const c = client(sps, {
      username: 'admin',
      password: 'pw-of-admin',
      clientCert: pki.client.cert,
      clientKey: pki.client.key,
      loginMethod: 'local',
    });
    expect(c.loginType).toBe('basic');
    await c.GET('/api');
    const login = sps.seen[0];
    expect(login?.headers.authorization).toBe(`Basic ${Buffer.from('admin:pw-of-admin').toString('base64')}`);
    expect([...(login?.query.entries() ?? [])]).toEqual([['login_method', 'local']]);
    expect(login?.peerCn).toBe('sps-operator');
  });
});

describe('transport TLS client certificate', () => {
  it('both senders present the certificate: undici and the no-body-length node:https path', async () => {
    const sps = await mtls();
    const transport = createTransport({ ca: pki.ca, cert: pki.client.cert, key: pki.encryptedClientKey, passphrase: KEY_PASSPHRASE });
    cleanups.push(() => transport.close());
    await transport.request({ method: 'GET', url: `${sps.url}/api/info` });
    await transport.request({ method: 'POST', url: `${sps.url}/api/transaction` });
    expect(sps.seen.map((s) => [s.method, s.headers['content-length'], s.peerCn])).toEqual([
      ['GET', undefined, 'sps-operator'],
      ['POST', undefined, 'sps-operator'],
    ]);
  });
});

describe('certificate options are checked at construction', () => {
  const base = { baseUrl: 'https://127.0.0.1:1' };
  it('a half-given pair is an error naming the missing half', () => {
    expect(() => createSpsClient({ ...base, clientCert: pki.client.cert })).toThrow(/clientCert is given without clientKey/);
    expect(() => createSpsClient({ ...base, clientKey: pki.client.key })).toThrow(/clientKey is given without clientCert/);
    expect(() => createSpsClient({ ...base, username: 'admin', password: 'x', clientKey: pki.client.key })).toThrow(/without clientCert/);
  });

  it('no credentials at all, or a username without password, is an error', () => {
    expect(() => createSpsClient(base)).toThrow(/username and password, or clientCert and clientKey/);
    expect(() => createSpsClient({ ...base, username: 'admin' })).toThrow(/username is given without password/);
    expect(() => createSpsClient({ ...base, password: 'x' })).toThrow(/password is given without username/);
  });

  it('a key of another certificate, a non-PEM certificate, a wrong or missing passphrase are errors without the secret', () => {
    expect(() => createSpsClient({ ...base, clientCert: pki.client.cert, clientKey: pki.otherUser.key })).toThrow(/clientKey does not belong to clientCert/);
    expect(() => createSpsClient({ ...base, clientCert: 'not a cert', clientKey: pki.client.key })).toThrow(/clientCert is not a PEM certificate/);
    expect(() => createSpsClient({ ...base, clientCert: pki.client.cert, clientKey: pki.encryptedClientKey })).toThrow(/pass clientKeyPassphrase/);
    let message = '';
    try {
      createSpsClient({ ...base, clientCert: pki.client.cert, clientKey: pki.encryptedClientKey, clientKeyPassphrase: 'wrong-9f3' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/wrong clientKeyPassphrase/);
    expect(message).not.toContain('wrong-9f3');
    expect(message).not.toContain('PRIVATE KEY');
  });
});

describe('anonymous endpoints', () => {
  let sps: MiniSps;
  beforeAll(async () => {
    sps = await startMiniSps({ password: 'pw' });
  });
  afterAll(() => sps.close());

  it('loginMethods() never logs in and never sends the session, before or after a login', async () => {
    const c = createSpsClient({ baseUrl: sps.url, username: 'admin', password: 'pw' });
    cleanups.push(() => c.close());
    const start = sps.seen.length;
    const first = await c.loginMethods();
    expect(first.login_methods.map((m) => m.name)).toEqual(['local', 'certs']);
    expect(sps.logins).toBe(0);
    await c.login();
    await c.loginMethods();
    const calls = sps.seen.slice(start).filter((s) => s.path === '/api/authentication/login_methods');
    expect(calls).toHaveLength(2);
    expect(calls.map((s) => s.headers.cookie)).toEqual([undefined, undefined]);
    expect(sps.logins).toBe(1);
  });

  it('info() goes out anonymously without a session (no login) and with the session once there is one', async () => {
    const c = createSpsClient({ baseUrl: sps.url, username: 'admin', password: 'pw' });
    cleanups.push(() => c.close());
    const logins = sps.logins;
    const anonymous = await c.info();
    expect(anonymous.body).toEqual({ firmware_version: '7.5.1' });
    expect(sps.logins).toBe(logins);
    expect(c.loggedIn).toBe(false);
    await c.GET('/api');
    const withSession = await c.info();
    expect(withSession.body).toEqual({ firmware_version: '7.5.1', hostname: 'mini-sps' });
    const infos = sps.to('GET', '/api/info').slice(-2);
    expect(infos.map((s) => s.sessionId)).toEqual([undefined, sps.issued.at(-1)]);
  });
});
