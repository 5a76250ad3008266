/**
 * Re-login after a commit that drops the session (a real SPS does so after committing a change of
 * the cluster interface or a promote; the vendor SDKs wait and log in again).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createSpsClient, SpsApiError, type SpsClient, type SpsClientOptions } from '../../src/client/index.js';
import { rejectionOf } from '../helpers/rejection.js';
import { clientPki, startMiniSps, type MiniSps, type MiniSpsOptions } from './mtls-sps.js';

const NTP = '/api/configuration/datetime/ntp_servers';
const NTP_BODY = { selection: 'ip', value: '192.0.2.1' } as const;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(
  server: MiniSpsOptions = { dropSessionsOnCommit: true },
  options: Partial<SpsClientOptions> = {},
): Promise<{ sps: MiniSps; client: SpsClient }> {
  const sps = await startMiniSps({ password: 'pw', ...server });
  cleanups.push(() => sps.close());
  const client = createSpsClient({ baseUrl: sps.url, username: 'admin', password: 'pw', ...options });
  cleanups.push(() => client.close());
  return { sps, client };
}

async function openAndCommit(client: SpsClient): Promise<void> {
  await client.withTransaction(async (tx) => {
    await tx.commit();
  });
}

describe('after a commit that drops the session', () => {
  it('the next GET logs in again once and succeeds', async () => {
    const { sps, client } = await setup();
    await openAndCommit(client);
    expect(sps.commits).toBe(1);
    expect(sps.sessions.size).toBe(0);
    const { data } = await client.GET('/api');
    expect(data).toMatchObject({ meta: { href: '/api' } });
    expect(sps.logins).toBe(2);
    expect(sps.to('GET', '/api').map((s) => s.sessionId)).toEqual([sps.issued[0], sps.issued[1]]);
    await client.GET('/api');
    expect(sps.logins).toBe(2);
  });

  it('the next POST checks the session first, logs in again, and is sent exactly once', async () => {
    const { sps, client } = await setup();
    await openAndCommit(client);
    const { data } = await client.POST(NTP, { body: NTP_BODY });
    expect(data).toMatchObject({ key: 'ntp-1' });
    expect(sps.ntpPosts).toBe(1);
    expect(sps.to('POST', NTP).map((s) => s.sessionId)).toEqual([sps.issued[1]]);
    expect(sps.logins).toBe(2);
    // The check is one GET /api/transaction with the dropped session, right after the commit.
    const afterCommit = sps.seen.slice(sps.seen.findIndex((s) => s.method === 'PUT' && s.path === '/api/transaction') + 1);
    expect(afterCommit.map((s) => `${s.method} ${s.path}`)).toEqual(['GET /api/transaction', 'GET /api/authentication', `POST ${NTP}`]);
    expect(afterCommit[0]?.sessionId).toBe(sps.issued[0]);
  });

  it('opening the next transaction (a POST) after the commit works', async () => {
    const { sps, client } = await setup();
    await openAndCommit(client);
    await client.transactions.open();
    expect(sps.to('POST', '/api/transaction').map((s) => s.sessionId)).toEqual([sps.issued[0], sps.issued[1]]);
  });

  it('concurrent POSTs after the commit share one check and one login', async () => {
    const { sps, client } = await setup();
    await openAndCommit(client);
    await Promise.all([client.POST(NTP, { body: NTP_BODY }), client.POST(NTP, { body: NTP_BODY })]);
    expect(sps.ntpPosts).toBe(2);
    expect(sps.logins).toBe(2);
    const checks = sps.to('GET', '/api/transaction');
    expect(checks).toHaveLength(1);
  });
});

describe('no check when there is no reason for one', () => {
  it('a commit that keeps the session: one check before the next POST, no new login, no check afterwards', async () => {
    const { sps, client } = await setup({ dropSessionsOnCommit: false });
    await openAndCommit(client);
    await client.POST(NTP, { body: NTP_BODY });
    await client.POST(NTP, { body: NTP_BODY });
    expect(sps.logins).toBe(1);
    expect(sps.to('GET', '/api/transaction')).toHaveLength(1);
    expect(sps.to('POST', NTP).map((s) => s.sessionId)).toEqual([sps.issued[0], sps.issued[0]]);
  });

  it('a GET answered after the commit proves the session: the POST after it is not preceded by a check', async () => {
    const { sps, client } = await setup({ dropSessionsOnCommit: false });
    await openAndCommit(client);
    await client.GET('/api');
    await client.POST(NTP, { body: NTP_BODY });
    expect(sps.to('GET', '/api/transaction')).toHaveLength(0);
  });

  it('without a commit, a POST on an expired session is not retried (401, sent once, no check)', async () => {
    const { sps, client } = await setup();
    await client.GET('/api');
    sps.sessions.clear();
    const err = await rejectionOf(client.POST(NTP, { body: NTP_BODY }), SpsApiError);
    expect(err.status).toBe(401);
    expect(err.type).toBe('Unauthenticated');
    expect(sps.to('POST', NTP)).toHaveLength(1);
    expect(sps.to('GET', '/api/transaction')).toHaveLength(0);
    expect(sps.ntpPosts).toBe(0);
  });
});

describe('re-login after a commit with certificate login (mutual TLS)', () => {
  it('logs in again with the certificate, without an Authorization header', async () => {
    const pki = await clientPki();
    const sps = await startMiniSps({
      tls: { server: pki.server, ca: pki.ca, requestCert: true },
      dropSessionsOnCommit: true,
    });
    cleanups.push(() => sps.close());
    const client = createSpsClient({
      baseUrl: sps.url,
      ca: pki.ca,
      clientCert: pki.client.cert,
      clientKey: pki.client.key,
      loginMethod: 'certs',
    });
    cleanups.push(() => client.close());
    await openAndCommit(client);
    await client.transactions.open();
    await client.GET('/api');
    const logins = sps.to('GET', '/api/authentication');
    expect(logins).toHaveLength(2);
    for (const login of logins) {
      expect(login.headers.authorization).toBeUndefined();
      expect(login.query.get('type')).toBe('x509');
      expect(login.query.get('login_method')).toBe('certs');
      expect(login.peerCn).toBe('sps-operator');
    }
    expect(sps.to('POST', '/api/transaction').map((s) => s.sessionId)).toEqual([sps.issued[0], sps.issued[1]]);
  });
});
