import { afterEach, describe, expect, it } from 'vitest';
import { patternMatches } from '../../src/simulator/appliance/privileges.js';
import { startSimulator } from '../../src/simulator/index.js';
import { ADMIN, AUDITOR, configAt, OPERATOR, SEED_TZ, startTestSim, type ApiClient, type TestSim } from './helpers.js';

const TZ = '/api/configuration/datetime/timezone';
const CLUSTER_READS = ['/api/cluster', '/api/cluster/nodes', '/api/cluster/join_request', '/api/cluster/configuration_sync'];

let t: TestSim | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function as(user: typeof ADMIN): Promise<ApiClient> {
  const c = t!.client();
  expect((await c.login(user)).status).toBe(200);
  return c;
}

/** Every kind of write an auditor must not do; each would change something if accepted. */
async function writes(c: ApiClient): Promise<number[]> {
  return [
    (await c.put(TZ, 'UTC')).status,
    (await c.post('/api/configuration/datetime/ntp_servers', { selection: 'ip', value: '10.1.1.1' })).status,
    (await c.raw('POST', '/api/transaction', { headers: { 'content-length': '0' } })).status,
    (await c.put('/api/transaction', { status: 'commit' })).status,
    (await c.delete('/api/transaction')).status,
    (await c.raw('POST', '/api/cluster/promote', { headers: { 'content-length': '0' } })).status,
  ];
}

describe('simulator: privileges by area', () => {
  it('the auditor reads everything, cluster included, and writes nothing (403 Unauthorized)', async () => {
    t = await startTestSim();
    const c = await as(AUDITOR);
    for (const p of [TZ, '/api/transaction', ...CLUSTER_READS]) expect((await c.get(p)).status, p).toBe(200);
    const denied = await c.put(TZ, 'UTC');
    expect(denied.json.error).toMatchObject({ type: 'Unauthorized', details: { path: TZ } });
    expect(await writes(c)).toEqual([403, 403, 403, 403, 403, 403]);
    expect(t.node(0).state.openTransaction()).toBeNull();
    expect(configAt(t.node(0).state.committedConfig(), '/api/configuration/datetime/timezone')).toBe(SEED_TZ);
  });

  it('the operator has no cluster management but reads and writes the configuration', async () => {
    t = await startTestSim();
    const c = await as(OPERATOR);
    for (const p of CLUSTER_READS) {
      const r = await c.get(p);
      expect(r.status, p).toBe(403);
      expect(r.json.error).toMatchObject({ type: 'Unauthorized', details: { path: p } });
    }
    expect((await c.raw('POST', '/api/cluster/promote', { headers: { 'content-length': '0' } })).status).toBe(403);
    expect((await c.put(TZ, 'UTC')).status).toBe(200);
    expect((await c.put('/api/transaction', { status: 'commit' })).status).toBe(200);
    expect(configAt(t.node(0).state.committedConfig(), '/api/configuration/datetime/timezone')).toBe('UTC');
  });

  it('the admin may do everything', async () => {
    t = await startTestSim();
    const c = await as(ADMIN);
    for (const p of CLUSTER_READS) expect((await c.get(p)).status, p).toBe(200);
    expect((await c.put(TZ, 'UTC')).status).toBe(200);
    expect((await c.raw('POST', '/api/cluster/promote', { headers: { 'content-length': '0' } })).status).toBe(201);
  });

  it('takes per-user privileges from the users option; the most specific pattern wins', async () => {
    const viewer = {
      username: 'viewer',
      password: 'viewer-test-password',
      privileges: [
        { path: '/api/configuration/**', read: true, write: false },
        { path: '/api/configuration/datetime/*', read: true, write: true },
      ],
    };
    t = await startTestSim({ users: { admin: ADMIN, viewer } });
    const c = await as(viewer);
    expect((await c.get('/api/configuration/network/nics')).status).toBe(200);
    expect((await c.get('/api/cluster')).status).toBe(403); // no rule: denied
    expect((await c.get('/api/transaction')).status).toBe(403);
    expect((await c.put(TZ, 'UTC')).status).toBe(200);
    expect((await c.put('/api/configuration/local_services/cluster', {})).status).toBe(403);
  });

  it('refuses a role name without default privileges unless it brings its own', async () => {
    await expect(startSimulator({ https: false, users: { admin: ADMIN, helpdesk: { username: 'h', password: 'p' } } })).rejects.toThrow(/helpdesk/);
  });
});

describe('simulator: wrong-privilege switches', () => {
  it('auditorCanWrite lets the auditor write (the switch, set on a running node)', async () => {
    t = await startTestSim();
    const c = await as(AUDITOR);
    expect((await c.put(TZ, 'UTC')).status).toBe(403);
    t.node(0).setBehaviour({ privilegeBugs: { auditorCanWrite: true } });
    expect((await c.put(TZ, 'UTC')).status).toBe(200);
    expect((await c.delete('/api/transaction')).status).toBe(200);
    t.node(0).setBehaviour({ privilegeBugs: undefined });
    expect((await c.put(TZ, 'UTC')).status).toBe(403);
  });

  it('operatorCanReadCluster lets the operator read /api/cluster/** but not write there', async () => {
    t = await startTestSim({ behaviour: { privilegeBugs: { operatorCanReadCluster: true } } });
    const c = await as(OPERATOR);
    for (const p of CLUSTER_READS) expect((await c.get(p)).status, p).toBe(200);
    expect((await c.raw('POST', '/api/cluster/promote', { headers: { 'content-length': '0' } })).status).toBe(403);
  });

  it('grants adds rules for one user name on one node only', async () => {
    t = await startTestSim({
      nodes: 2,
      nodeBehaviours: [{ privilegeBugs: { grants: { operator: [{ path: '/api/cluster/nodes', read: true, write: false }] } } }],
    });
    const c0 = await as(OPERATOR);
    const c1 = t.client(1);
    await c1.login(OPERATOR);
    expect((await c0.get('/api/cluster/nodes')).status).toBe(200);
    expect((await c0.get('/api/cluster/status')).status).toBe(403);
    expect((await c1.get('/api/cluster/nodes')).status).toBe(403);
  });
});

describe('privilege patterns', () => {
  it('matches * as one segment and ** as any number, zero included', () => {
    expect(patternMatches('/api/cluster/**', '/api/cluster')).toBe(true);
    expect(patternMatches('/api/cluster/**', '/api/cluster/nodes/x')).toBe(true);
    expect(patternMatches('/api/cluster/**', '/api/clusters')).toBe(false);
    expect(patternMatches('/api/configuration/*', '/api/configuration/datetime')).toBe(true);
    expect(patternMatches('/api/configuration/*', '/api/configuration/datetime/timezone')).toBe(false);
    expect(patternMatches('/api/configuration/*', '/api/configuration')).toBe(false);
  });
});
