/**
 * The client over HTTPS, against the simulator (HTTPS with its own throw-away CA).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSpsClient, SpsApiError } from '../../src/client/index.js';
import { startSimulator, type SimulatorHandle } from '../../src/simulator/index.js';

describe('client over HTTPS', () => {
  let sim: SimulatorHandle;
  const login = () => ({ baseUrl: sim.nodes[0]!.url, username: sim.users.admin.username, password: sim.users.admin.password });
  beforeAll(async () => {
    sim = await startSimulator({ https: true });
  });
  afterAll(() => sim.close());

  it('refuses a certificate from an unknown CA by default (status 0, kind tls)', async () => {
    const client = createSpsClient(login());
    try {
      const err = await client.GET('/api').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SpsApiError);
      expect((err as SpsApiError).status).toBe(0);
      expect((err as SpsApiError).transportError?.kind).toBe('tls');
      expect(sim.nodes[0]!.stats.logins).toBe(0);
      expect(sim.nodes[0]!.stats.requests).toBe(0);
    } finally {
      await client.close();
    }
  });

  it('works when the CA is passed as ca', async () => {
    const client = createSpsClient({ ...login(), ca: sim.caPem! });
    try {
      const { data } = await client.GET('/api');
      expect(data).toMatchObject({ meta: { href: '/api' } });
    } finally {
      await client.close();
    }
  });

  it('works with insecure: true', async () => {
    const client = createSpsClient({ ...login(), insecure: true });
    try {
      const status = await client.transactions.status();
      expect(status.status).toBe('closed');
    } finally {
      await client.close();
    }
  });
});
