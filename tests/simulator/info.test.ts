import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_FIRMWARE_VERSION } from '../../src/simulator/index.js';
import { startTestSim, type TestSim } from './helpers.js';

let t: TestSim | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('simulator: GET /api/info', () => {
  it('answers the firmware version without a session, and more with one', async () => {
    t = await startTestSim();
    const c = t.client();
    const anonymous = await c.get('/api/info');
    expect(anonymous.status).toBe(200);
    expect(anonymous.json).toEqual({ body: { firmware_version: '7.5.1' }, meta: { href: '/api/info', parent: '/api' } });
    expect(DEFAULT_FIRMWARE_VERSION).toBe('7.5.1');
    await c.login();
    const withSession = await c.get('/api/info');
    expect(withSession.json.body).toEqual({ firmware_version: '7.5.1' });
  });

  it('takes the version from the options', async () => {
    t = await startTestSim({ firmwareVersion: '8.0.0' });
    expect((await t.client().get('/api/info')).json.body).toEqual({ firmware_version: '8.0.0' });
  });

  it('is not listed among the items of /api', async () => {
    t = await startTestSim();
    const c = t.client();
    await c.login();
    const keys = ((await c.get('/api')).json.items as Array<{ key: string }>).map((i) => i.key);
    expect(keys).not.toContain('info');
    expect(keys).toEqual(expect.arrayContaining(['authentication', 'cluster', 'configuration', 'transaction']));
  });
});
