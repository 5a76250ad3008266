import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSpsClient, SpsApiError } from '../../src/client/index.js';
import { testPki, type TestPki } from '../helpers/certs.js';
import { startFakeSps, type FakeSps } from '../helpers/fake-sps.js';

describe('client over HTTPS', () => {
  let pki: TestPki;
  let sps: FakeSps;
  beforeAll(async () => {
    pki = await testPki();
    sps = await startFakeSps({ tls: pki.server, users: { admin: 'tls-password' } });
  });
  afterAll(() => sps.close());

  it('refuses a certificate from an unknown CA by default (status 0, kind tls)', async () => {
    const client = createSpsClient({ baseUrl: sps.url, username: 'admin', password: 'tls-password' });
    try {
      const err = await client.GET('/api').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SpsApiError);
      expect((err as SpsApiError).status).toBe(0);
      expect((err as SpsApiError).transportError?.kind).toBe('tls');
      expect(sps.logins).toBe(0);
    } finally {
      await client.close();
    }
  });

  it('works when the CA is passed as ca', async () => {
    const client = createSpsClient({ baseUrl: sps.url, username: 'admin', password: 'tls-password', ca: pki.ca });
    try {
      const { data } = await client.GET('/api');
      expect(data).toMatchObject({ meta: { href: '/api' } });
    } finally {
      await client.close();
    }
  });

  it('works with insecure: true', async () => {
    const client = createSpsClient({ baseUrl: sps.url, username: 'admin', password: 'tls-password', insecure: true });
    try {
      const status = await client.transactions.status();
      expect(status.status).toBe('closed');
    } finally {
      await client.close();
    }
  });
});
