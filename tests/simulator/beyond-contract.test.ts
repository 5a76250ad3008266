/** What the simulator serves beyond the contract (`beyondContract: true`), and only then. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AUDIT_SESSION_IDS,
  REPORTING_SETTINGS,
  SUPPORT_BUNDLE_BYTES,
  SUPPORT_BUNDLE_IDS,
  beyondContractSecrets,
} from '../../src/simulator/handlers/beyond-contract.js';
import { DEFAULT_SPS_VERSION, loadSimSpec } from '../../src/simulator/engine/spec.js';
import { BEYOND } from '../../src/simulator/routes/table.js';
import { ADMIN, AUDITOR, specChildren, startTestSim, type TestSim } from './helpers.js';

describe('beyond the contract', () => {
  let t: TestSim;
  beforeAll(async () => {
    t = await startTestSim({ beyondContract: true });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lists the extra endpoints in their parents and links them in meta (cycles, fragments)', async () => {
    const c = t.client();
    await c.login(AUDITOR);
    const api = await c.get('/api');
    expect(api.json.items.map((i: { key: string }) => i.key)).toEqual(expect.arrayContaining(['audit', 'firmware', 'setup', 'starling', 'troubleshooting']));
    const slots = await c.get('/api/firmware/slots');
    expect(slots.json.meta).toMatchObject({ href: '/api/firmware/slots', parent: '/api/firmware', setup: '/api/setup', info: '/api/info#firmware_version' });
    const setup = await c.get('/api/setup');
    expect(setup.json.meta.firmware).toBe('/api/firmware/slots#active');
    const join = await c.get('/api/starling/join');
    expect(join.json.meta.settings).toBe('/api/configuration/starling');
    expect((await c.get('/api/configuration/starling')).json.meta.join).toBe('/api/starling/join');
    const sessions = await c.get('/api/audit/sessions');
    expect(sessions.json.items).toHaveLength(AUDIT_SESSION_IDS.length);
    const one = await c.get(`/api/audit/sessions/${AUDIT_SESSION_IDS[1]}`);
    expect(one.json.meta).toMatchObject({
      previous: `/api/audit/sessions/${AUDIT_SESSION_IDS[0]}`,
      next: `/api/audit/sessions/${AUDIT_SESSION_IDS[2]}`,
      audit_trail: `/api/audit/sessions/${AUDIT_SESSION_IDS[1]}/audit_trail`,
    });
    const reporting = ((await c.get('/api/configuration/reporting')).json.items as Array<{ key: string }>).map((i) => i.key);
    expect(reporting).toEqual(expect.arrayContaining([...REPORTING_SETTINGS]));
  });

  it('hands out secrets, answers 403 to a non-admin and 500 always, serves a zip, GET only', async () => {
    const c = t.client();
    await c.login(AUDITOR);
    const s = beyondContractSecrets(1);
    const email = await c.get('/api/configuration/management/email');
    expect(email.json.body).toMatchObject({ password: s.smtpPassword, username: s.smtpUser, smtp_server: { value: s.smtpHost } });
    expect((await c.get('/api/configuration/aaa/radius')).status).toBe(403);
    const admin = t.client();
    await admin.login(ADMIN);
    expect((await admin.get('/api/configuration/aaa/radius')).json.body.servers[0].shared_secret).toBe(s.psk);
    const dumps = await c.get('/api/troubleshooting/core_dumps');
    expect(dumps.status).toBe(500);
    expect(dumps.json.error.type).toBe('InternalError');
    const zip = await c.raw('GET', `/api/troubleshooting/support-bundle/${SUPPORT_BUNDLE_IDS[0]}/download`, { headers: { accept: '*/*' } });
    expect(zip.status).toBe(200);
    expect(zip.headers.get('content-type')).toBe('application/zip');
    expect(Number(zip.headers.get('content-length'))).toBe(SUPPORT_BUNDLE_BYTES);
    expect(zip.text.startsWith('PK')).toBe(true);
    if (!loadSimSpec({}, DEFAULT_SPS_VERSION).operation('PUT', '/api/configuration/management/email')) {
      const put = await admin.put('/api/configuration/management/email', {});
      expect(put.status).toBe(405);
      expect(put.headers.get('allow')).toBe('GET');
    }
    if (!loadSimSpec({}, DEFAULT_SPS_VERSION).operation('POST', '/api/audit/sessions')) {
      expect((await admin.post('/api/audit/sessions', {})).status).toBe(405);
    }
  });

  it('answers /api/setup without a session, and everything else only with one', async () => {
    const anon = t.client();
    const setup = await anon.get('/api/setup');
    expect(setup.status).toBe(200);
    expect(setup.json.status).toBe('completed');
    expect(setup.json.hostname).toBeUndefined();
    expect((await anon.get('/api/cluster/spp')).status).toBe(401);
  });
});

describe('without beyondContract', () => {
  it('serves the contract only: the extra paths are 404 and no directory lists them', async () => {
    const t = await startTestSim();
    try {
      const c = t.client();
      await c.login(ADMIN);
      expect((await c.get('/api')).json.items.map((i: { key: string }) => i.key)).toEqual(specChildren('/api'));
      // The rows the spec does not document are not served (and not listed).
      const spec = loadSimSpec({}, DEFAULT_SPS_VERSION);
      const extra = BEYOND.filter((r) => !r.path.includes('{') && !spec.model.pathTemplates.includes(r.path));
      expect(extra.length).toBeGreaterThan(0);
      for (const r of extra) expect((await c.get(r.path)).status, r.path).toBe(404);
      if (!spec.model.pathTemplates.includes('/api/cluster/spp')) {
        expect((await c.get('/api/cluster')).json.items.map((i: { key: string }) => i.key)).not.toContain('spp');
      }
    } finally {
      await t.close();
    }
  });
});
