import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { SEED_TZ, startTestSim, type TestSim } from './helpers.js';

let t: TestSim | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** The undici error code behind a failed fetch (fetch wraps it in `cause`). */
async function failureCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    const err = e as { name?: string; cause?: { code?: string; name?: string } };
    return err.cause?.code ?? err.cause?.name ?? err.name ?? 'unknown';
  }
  return 'no failure';
}

describe('simulator: fault injection', () => {
  it.each([
    ['HTTPS', true],
    ['HTTP', false],
  ])('reset (%s): destroys the connection without an answer', async (_label, https) => {
    t = await startTestSim({ https });
    const c = t.client();
    await c.login();
    t.node(0).injectFault('/api/configuration', { kind: 'reset' });
    const code = await failureCode(c.get('/api/configuration'));
    expect(['ECONNRESET', 'UND_ERR_SOCKET']).toContain(code);
    // Other paths are untouched, and the fault stays until cleared.
    expect((await c.get('/api/configuration/datetime')).status).toBe(200);
    expect(['ECONNRESET', 'UND_ERR_SOCKET']).toContain(await failureCode(c.get('/api/configuration')));
    t.node(0).clearFaults();
    expect((await c.get('/api/configuration')).status).toBe(200);
  });

  it('hang: never answers, and close() still finishes promptly', async () => {
    t = await startTestSim();
    const c = t.client();
    await c.login();
    t.node(0).injectFault('/api/transaction', { kind: 'hang' });
    const before = t.node(0).stats.requests;
    const code = await failureCode(c.raw('GET', '/api/transaction', { signal: AbortSignal.timeout(300) }));
    expect(code).toBe('TimeoutError');
    expect(t.node(0).stats.requests).toBe(before + 1);
    // A second hanging request is still pending when we close.
    const pending = c.raw('GET', '/api/transaction').catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await t.close();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await pending).toBeInstanceOf(Error);
    t = undefined;
  });

  it('html502: answers an HTML 502 page like a reverse proxy', async () => {
    t = await startTestSim();
    const c = t.client();
    await c.login();
    t.node(0).injectFault('/api/cluster', { kind: 'html502', times: 1 });
    const r = await c.get('/api/cluster');
    expect(r.status).toBe(502);
    expect(r.headers.get('content-type')).toBe('text/html');
    expect(r.text).toContain('<title>502 Bad Gateway</title>');
    expect(r.json).toBeUndefined();
    // `times: 1` used up: the next call is answered normally.
    expect((await c.get('/api/cluster')).status).toBe(200);
    expect(t.node(0).stats.byStatus['502']).toBe(1);
  });

  it('latency: delays the answer', async () => {
    t = await startTestSim();
    const c = t.client();
    await c.login();
    t.node(0).injectFault('*', { kind: 'latency', ms: 300 });
    const started = performance.now();
    const r = await c.get('/api/configuration/datetime/timezone');
    const elapsed = performance.now() - started;
    expect(r.status).toBe(200);
    expect(r.json.body).toBe(SEED_TZ);
    expect(elapsed).toBeGreaterThanOrEqual(280);
  });

  it("'*' applies to every path (login included) and can be limited to one method", async () => {
    t = await startTestSim();
    const c = t.client();
    t.node(0).injectFault('*', { kind: 'html502' });
    expect((await c.login()).status).toBe(502);
    expect(t.node(0).stats.logins).toBe(0);
    t.node(0).injectFault('*', { kind: 'html502', method: 'PUT' });
    expect((await c.login()).status).toBe(200);
    expect((await c.put('/api/configuration/datetime/timezone', 'UTC')).status).toBe(502);
    expect(t.node(0).state.openTransaction()).toBeNull();
    // An exact path entry wins over '*'.
    t.node(0).injectFault('/api/configuration/datetime/timezone', { kind: 'latency', ms: 1 });
    expect((await c.put('/api/configuration/datetime/timezone', 'UTC')).status).toBe(200);
  });

  it('writes the CA to a temp file and removes it on close', async () => {
    t = await startTestSim();
    const caFile = t.sim.caFile!;
    expect(readFileSync(caFile, 'utf8')).toBe(t.sim.caPem);
    expect(t.sim.caPem).toMatch(/^-----BEGIN CERTIFICATE-----/);
    await t.close();
    t = undefined;
    expect(existsSync(caFile)).toBe(false);
  });
});
