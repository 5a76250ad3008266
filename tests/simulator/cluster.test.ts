import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSim, type ApiClient, type TestSim } from './helpers.js';

const open = (c: ApiClient) => c.raw('POST', '/api/transaction', { headers: { 'content-length': '0' } });
const commit = (c: ApiClient, message: string) => c.put('/api/transaction', { status: 'commit', message });
const joinStatus = async (c: ApiClient): Promise<string> => (await c.get('/api/cluster/join_request')).json.status;

describe('simulator: three-node cluster formation', () => {
  let t: TestSim;
  let cm: ApiClient;
  let n2: ApiClient;
  let n3: ApiClient;
  let join2: { address: string; node_id: string; psk: string; roles: string[] };
  let join3: { address: string; node_id: string; psk: string; roles: string[] };

  beforeAll(async () => {
    t = await startTestSim({ nodes: 3 });
    [cm, n2, n3] = [t.client(0), t.client(1), t.client(2)];
    for (const c of [cm, n2, n3]) expect((await c.login()).status).toBe(200);
  });
  afterAll(async () => {
    await t.close();
  });

  it('starts with standalone nodes', async () => {
    expect(await joinStatus(n2)).toBe('not configured');
    expect((await n2.get('/api/cluster/join_request')).json.details).toEqual({});
    const status = await cm.get('/api/cluster/status');
    expect(status.status).toBe(404);
    expect(status.json.error.type).toBe('NotFound');
  });

  it('promotes node 1 to Central Management', async () => {
    expect((await open(cm)).status).toBe(200);
    const promote = await cm.raw('POST', '/api/cluster/promote', { headers: { 'content-length': '0' } });
    expect(promote.status).toBe(201);
    expect(promote.json).toEqual({
      body: { address: t.node(0).address, roles: ['central-management'] },
      meta: { href: `/api/cluster/nodes/${t.node(0).nodeId}`, parent: '/api/cluster/nodes', remaining_seconds: 600 },
    });
    expect(await joinStatus(cm)).toBe('in progress');
    expect((await commit(cm, 'promote')).json.body.status).toBe('closed');
    // The promote ends every session of the node, as on SPS: log in again.
    const after = await cm.get('/api/cluster/join_request');
    expect(after.status).toBe(401);
    expect(after.json.error.type).toBe('Unauthenticated');
    expect((await cm.login()).status).toBe(200);
    expect(await joinStatus(cm)).toBe('in cluster');
  });

  it('creates join requests on nodes 2 and 3', async () => {
    const r2 = await n2.post('/api/cluster/join_request', { central_management_address: t.node(0).address });
    expect(r2.status).toBe(201);
    join2 = r2.json.body;
    expect(join2).toMatchObject({ address: t.node(1).address, node_id: t.node(1).nodeId, roles: [] });
    expect(join2.psk).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(r2.json.meta).toEqual({ href: '/api/cluster/join_request', parent: '/api/cluster', remaining_seconds: 600 });

    const r3 = await n3.post('/api/cluster/join_request', { central_management_address: t.node(0).address });
    expect(r3.status).toBe(201);
    join3 = r3.json.body;
    expect(join3.psk).not.toBe(join2.psk);

    expect(await joinStatus(n2)).toBe('in progress');
    expect((await n2.get('/api/cluster/join_request')).json.details).toEqual({ central_management_address: t.node(0).address });

    // The psk never shows up in the change log.
    const changes = await n2.get('/api/transaction/changes');
    expect(changes.json.changes).toHaveLength(1);
    expect(changes.text).not.toContain(join2.psk);
  });

  it('rejects a join body with the wrong psk without echoing it', async () => {
    const wrong = 'x'.repeat(64);
    const r = await cm.post('/api/cluster/nodes', { ...join2, psk: wrong });
    expect(r.status).toBe(400);
    expect(r.json.error.type).toBe('SemanticError');
    expect(r.text).not.toContain(wrong);
    expect(t.node(0).state.openTransaction()).toBeNull();
  });

  it('accepts both nodes on the Central Management node', async () => {
    const a2 = await cm.post('/api/cluster/nodes', join2);
    expect(a2.status).toBe(201);
    expect(a2.json).toEqual({
      body: { address: join2.address, roles: [] },
      key: join2.node_id,
      meta: { href: `/api/cluster/nodes/${join2.node_id}`, parent: '/api/cluster/nodes', remaining_seconds: 600 },
    });
    expect((await cm.post('/api/cluster/nodes', join3)).status).toBe(201);
    expect((await cm.post('/api/cluster/nodes', join3)).status).toBe(400); // already a member
  });

  it('is "in progress" until both sides committed, then "in cluster"', async () => {
    expect((await commit(n2, 'join')).status).toBe(200);
    expect(await joinStatus(n2)).toBe('in progress'); // the CM has not committed yet
    expect((await commit(cm, 'accept nodes 2 and 3')).status).toBe(200);
    expect(await joinStatus(n2)).toBe('in cluster');
    expect(await joinStatus(n3)).toBe('in progress'); // node 3 has not committed its join request
    expect((await commit(n3, 'join')).status).toBe(200);
    expect(await joinStatus(n3)).toBe('in cluster');
  });

  it('lists the three nodes in the cluster status on the CM only', async () => {
    const status = await cm.get('/api/cluster/status');
    expect(status.status).toBe(200);
    const ids = [t.node(0).nodeId, t.node(1).nodeId, t.node(2).nodeId];
    expect(status.json.items.map((i: { key: string }) => i.key).sort()).toEqual([...ids].sort());
    expect(status.json.meta).toEqual({ href: '/api/cluster/status', parent: '/api/cluster', self: `/api/cluster/status/${ids[0]}` });
    for (const item of status.json.items) {
      expect(item.meta).toEqual({ href: `/api/cluster/status/${item.key}`, configuration: `/api/cluster/nodes/${item.key}` });
      expect(item.configuration_sync.downloaded_xml_hash).toMatch(/^[0-9a-f]{32}$/);
      expect(item.configuration_sync.issues).toEqual({ warnings: [], errors: [] });
      expect(item.health_status).toEqual(expect.objectContaining({ total_sessions: 0 }));
    }
    const self = status.json.items.find((i: { key: string }) => i.key === ids[0]);
    expect(self.sync_status).toBe('n/a');
    expect(self).not.toHaveProperty('last_seen');
    const member = status.json.items.find((i: { key: string }) => i.key === ids[1]);
    expect(member.last_seen).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);

    const one = await cm.get(`/api/cluster/status/${ids[2]}`);
    expect(one.json).toMatchObject({ key: ids[2], fqdn: t.node(2).fqdn });
    expect((await n2.get('/api/cluster/status')).status).toBe(404);

    // Members see the cluster's node list too.
    const fromMember = await n3.get('/api/cluster/nodes');
    expect(fromMember.json.items.map((i: { key: string }) => i.key).sort()).toEqual([...ids].sort());
    const node = await cm.get(`/api/cluster/nodes/${ids[0]}`);
    expect(node.json).toEqual({
      body: { address: t.node(0).address, roles: ['central-management'] },
      key: ids[0],
      meta: { href: `/api/cluster/nodes/${ids[0]}`, parent: '/api/cluster/nodes', status: `/api/cluster/status/${ids[0]}` },
    });
  });

  it('assigns roles on the CM with the documented rules', async () => {
    const id2 = t.node(1).nodeId;
    const id3 = t.node(2).nodeId;
    const put2 = await cm.put(`/api/cluster/nodes/${id2}`, { address: join2.address, roles: ['managed-host', 'search-master'] });
    expect(put2.status).toBe(200);
    expect(put2.json.body).toEqual({ address: join2.address, roles: ['managed-host', 'search-master'] });

    const cases: Array<[string, unknown]> = [
      ['second search-master', { address: join3.address, roles: ['search-master'] }],
      ['central-management by PUT', { address: join3.address, roles: ['central-management'] }],
      ['unknown role', { address: join3.address, roles: ['web-frontend'] }],
      ['two search roles', { address: join3.address, roles: ['search-local', 'search-minion'] }],
      ['wrong address', { address: '127.0.0.1:1', roles: ['managed-host'] }],
    ];
    for (const [label, body] of cases) {
      const r = await cm.put(`/api/cluster/nodes/${id3}`, body);
      expect(r.status, label).toBe(400);
      // A role outside the schema's enum is refused by the central body check.
      expect(r.json.error.type, label).toBe(label === 'unknown role' ? 'InvalidRequestBody' : 'SemanticError');
    }
    const dropCm = await cm.put(`/api/cluster/nodes/${t.node(0).nodeId}`, { address: t.node(0).address, roles: ['search-local'] });
    expect(dropCm.status).toBe(400);

    expect((await cm.put(`/api/cluster/nodes/${id3}`, { address: join3.address, roles: ['managed-host', 'search-minion'] })).status).toBe(200);
    expect((await cm.put('/api/cluster/nodes/00000000-0000-4000-8000-000000000000', { address: 'x', roles: [] })).status).toBe(404);
    // Not visible to members before the CM commits.
    expect((await n2.get(`/api/cluster/nodes/${id2}`)).json.body.roles).toEqual([]);
    expect((await commit(cm, 'roles')).status).toBe(200);
    expect((await n2.get(`/api/cluster/nodes/${id2}`)).json.body.roles).toEqual(['managed-host', 'search-master']);
    expect((await n3.get(`/api/cluster/nodes/${id3}`)).json.body.roles).toEqual(['managed-host', 'search-minion']);
    // Role assignment happens on the CM only.
    expect((await n2.put(`/api/cluster/nodes/${id2}`, { address: join2.address, roles: ['search-local'] })).status).toBe(400);
  });

  it('counted one login per node, and one more after the promote', () => {
    expect(t.sim.nodes.map((n) => n.stats.logins)).toEqual([2, 1, 1]);
  });
});

describe('simulator: join request rollback', () => {
  it('forgets the psk of a rolled-back join request', async () => {
    const t = await startTestSim({ nodes: 2 });
    try {
      const [cm, n2] = [t.client(0), t.client(1)];
      await cm.login();
      await n2.login();
      await cm.raw('POST', '/api/cluster/promote', { headers: { 'content-length': '0' } });
      await commit(cm, 'promote');
      await cm.login();
      const join = (await n2.post('/api/cluster/join_request', { central_management_address: t.node(0).address })).json.body;
      expect((await n2.delete('/api/transaction')).status).toBe(200);
      expect(await joinStatus(n2)).toBe('not configured');
      const r = await cm.post('/api/cluster/nodes', join);
      expect(r.status).toBe(400);
      expect(r.json.error.type).toBe('SemanticError');
      // The CM cannot join another cluster, and a node cannot join itself.
      expect((await cm.post('/api/cluster/join_request', { central_management_address: t.node(1).address })).status).toBe(400);
      expect((await n2.post('/api/cluster/join_request', { central_management_address: t.node(1).address })).status).toBe(400);
    } finally {
      await t.close();
    }
  });
});
