import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedBody, startTestSim, type ApiClient, type TestSim } from './helpers.js';

let t: TestSim;
let c: ApiClient;
beforeEach(async () => {
  t = await startTestSim();
  c = t.client();
  await c.login();
});
afterEach(async () => {
  await t.close();
});

const LS = '/api/configuration/local_services/cluster';
const NTP = '/api/configuration/datetime/ntp_servers';
const BACKUP = '/api/configuration/management/system_backup';
const ENC = '/api/configuration/management/exported_configuration_encryption';
const POLICIES = '/api/configuration/policies/backup_policies';
const NICS = '/api/configuration/network/nics';

const PGP = '-----BEGIN PGP PUBLIC KEY BLOCK-----\nmQGNBF3rnZ0BDADHdz5\n=j20J\n-----END PGP PUBLIC KEY BLOCK-----\n';

describe('simulator: configuration envelopes', () => {
  it('lists directories with items and sibling links', async () => {
    const dt = await c.get('/api/configuration/datetime');
    expect(dt.json).toEqual({
      items: [
        { key: 'ntp_servers', meta: { href: NTP } },
        { key: 'timezone', meta: { href: '/api/configuration/datetime/timezone' } },
      ],
      meta: {
        first: '/api/configuration/datetime',
        href: '/api/configuration/datetime',
        last: '/api/configuration/policies',
        next: '/api/configuration/local_services',
        parent: '/api/configuration',
        previous: null,
        transaction: '/api/transaction',
      },
    });
    const mgmt = await c.get('/api/configuration/management');
    expect(mgmt.json.items.map((i: { key: string }) => i.key)).toEqual(['exported_configuration_encryption', 'system_backup']);
    const cluster = await c.get('/api/cluster');
    expect(cluster.json.meta).toEqual({
      href: '/api/cluster',
      parent: '/api',
      configuration_sync: '/api/cluster/configuration_sync',
      join_request: '/api/cluster/join_request',
      nodes: '/api/cluster/nodes',
      promote: '/api/cluster/promote',
      status: '/api/cluster/status',
    });
  });

  it('serves NTP servers as a list: PUT replaces it, POST appends one (201)', async () => {
    const get = await c.get(NTP);
    expect(get.json).toEqual({
      body: [{ selection: 'fqdn', value: 'pool.ntp.org' }],
      key: 'ntp_servers',
      meta: {
        first: NTP,
        href: NTP,
        last: '/api/configuration/datetime/timezone',
        next: '/api/configuration/datetime/timezone',
        parent: '/api/configuration/datetime',
        previous: null,
        transaction: '/api/transaction',
      },
    });
    const put = await c.put(NTP, [{ selection: 'ip', value: '192.0.2.123' }]);
    expect(put.status).toBe(200);
    expect(put.json.body).toEqual([{ selection: 'ip', value: '192.0.2.123' }]);
    const post = await c.post(NTP, { selection: 'fqdn', value: 'ntp2.example.com' });
    expect(post.status).toBe(201);
    expect(post.json.body).toEqual({ selection: 'fqdn', value: 'ntp2.example.com' });
    expect((await c.get(NTP)).json.body).toEqual([
      { selection: 'ip', value: '192.0.2.123' },
      { selection: 'fqdn', value: 'ntp2.example.com' },
    ]);
    const changes = (await c.get('/api/transaction/changes')).json.changes;
    expect(changes.map((x: { type: string }) => x.type)).toEqual(['replace', 'create']);
  });

  it('rejects malformed bodies (SyntacticError) and bodies that break the schema (InvalidRequestBody), opening no transaction', async () => {
    const syntax = await c.raw('PUT', NTP, { body: '[{"selection": "ip",' });
    expect(syntax.status).toBe(400);
    expect(syntax.json.error.type).toBe('SyntacticError');
    const sel = await c.put(NTP, [{ selection: 'dns', value: 'x' }]);
    expect(sel.status).toBe(400);
    expect(sel.json.error.type).toBe('InvalidRequestBody');
    expect(sel.json.error.details.problems.join(' ')).toMatch(/selection/);
    const notList = await c.put(NTP, { selection: 'ip', value: '192.0.2.1' });
    expect(notList.status).toBe(400);
    expect(notList.json.error.type).toBe('InvalidRequestBody');
    const tz = await c.put('/api/configuration/datetime/timezone', { timezone: 'UTC' });
    expect(tz.status).toBe(400);
    expect(tz.json.error.type).toBe('InvalidRequestBody');
    expect(t.node(0).state.openTransaction()).toBeNull();
  });

  it('returns listen_address as a NIC address reference and takes the bare key on PUT', async () => {
    const get = await c.get(LS);
    expect(get.status).toBe(200);
    const { enabled, listen_address } = get.json.body;
    const seeded = seedBody(LS) as { enabled: boolean; listen_address: { key: string; meta: { href: string } } };
    expect(enabled).toBe(seeded.enabled);
    // Stored as the bare key, shown with the href the spec example gives it.
    expect(listen_address).toEqual(seeded.listen_address);
    const m = /^nic1\.interfaces\.([^.]+)\.addresses\.([^.]+)$/.exec(listen_address.key);
    expect(m).not.toBeNull();
    expect(get.json.key).toBe('cluster');

    const put = await c.put(LS, { enabled: !enabled, listen_address: listen_address.key });
    expect(put.status).toBe(200);
    expect(put.json.body).toEqual({ enabled: !enabled, listen_address });
    // The reference object as a GET shows it is taken too (the schema allows both), and stored as the key.
    const ref = await c.put(LS, { enabled, listen_address });
    expect(ref.status).toBe(200);
    expect(ref.json.body).toEqual({ enabled, listen_address });
    const wrong = await c.put(LS, { enabled: 'yes', listen_address: listen_address.key });
    expect(wrong.status).toBe(400);
    expect(wrong.json.error.type).toBe('InvalidRequestBody');
    expect((await c.delete('/api/transaction')).status).toBe(200);
  });

  it('references a backup policy from system_backup', async () => {
    const policies = await c.get(POLICIES);
    expect(policies.status).toBe(200);
    const items = policies.json.items as Array<{ key: string; body: { name: string }; meta: { href: string } }>;
    expect(items.length).toBeGreaterThan(0);
    const backup = await c.get(BACKUP);
    const p1 = items.find((i) => i.key === backup.json.body.backup_policy.key);
    expect(p1, 'the seeded system backup names a seeded policy').toBeDefined();
    expect(p1!.meta.href).toBe(`${POLICIES}/${p1!.key}`);
    expect(backup.json.body.backup_policy).toEqual({ key: p1!.key, meta: { href: `${POLICIES}/${p1!.key}` } });
    const one = await c.get(`${POLICIES}/${p1!.key}`);
    expect(one.json).toMatchObject({ key: p1!.key, body: p1!.body, meta: { href: `${POLICIES}/${p1!.key}`, parent: POLICIES } });
    expect((await c.get(`${POLICIES}/does-not-exist`)).status).toBe(404);
    expect(backup.json.meta).toMatchObject({ href: BACKUP, parent: '/api/configuration/management' });

    const put = await c.put(BACKUP, { backup_policy: p1!.key });
    expect(put.status).toBe(200);
    expect(put.json.body.backup_policy).toEqual({ key: p1!.key, meta: { href: `${POLICIES}/${p1!.key}` } });
    expect((await c.delete('/api/transaction')).status).toBe(200);
  });

  it('stores the GPG key of exported configuration encryption', async () => {
    const get = await c.get(ENC);
    expect(get.json.body).toEqual(seedBody(ENC));
    const gpg = { fingerprint: '0123456789ABCDEF0123456789ABCDEF01234567', public_key: PGP, uids: ['Demo <d@example.com>'] };
    const put = await c.put(ENC, { encryption: { enabled: true, gpg_public_key: gpg } });
    expect(put.status).toBe(200);
    expect(put.json.body.encryption).toEqual({ enabled: true, gpg_public_key: gpg });
    expect((await c.get(ENC)).json.body.encryption.gpg_public_key).toEqual(gpg);
    expect((await c.delete('/api/transaction')).status).toBe(200);
  });

  it('lists NICs and answers 404 for an unknown NIC', async () => {
    const nics = await c.get(NICS);
    expect(nics.json.items.map((i: { key: string }) => i.key)).toEqual(['nic1', 'nic2', 'nic3']);
    const nic2 = await c.get(`${NICS}/nic2`);
    expect(nic2.json.meta).toMatchObject({ previous: `${NICS}/nic1`, next: `${NICS}/nic3`, first: `${NICS}/nic1`, last: `${NICS}/nic3` });
    const nf = await c.get(`${NICS}/nic9`);
    expect(nf.status).toBe(404);
    expect(nf.json.error.type).toBe('NotFound');
  });

  it('accepts every setting written back as read (references as bare keys), as the conformance runner does', async () => {
    const node = t.node(0);
    const before = JSON.stringify(node.state.committedConfig());
    const toKeys = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(toKeys);
      if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        if (Object.keys(o).length === 2 && typeof o.key === 'string' && o.meta && typeof o.meta === 'object') return o.key;
        return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, toKeys(x)]));
      }
      return v;
    };
    for (const path of [LS, NTP, '/api/configuration/datetime/timezone', BACKUP, ENC]) {
      const read = await c.get(path);
      const put = await c.put(path, toKeys(read.json.body));
      expect(put.status, path).toBe(200);
      expect(put.json.body, path).toEqual(read.json.body);
    }
    expect((await c.get('/api/transaction/changes')).json.changes).toHaveLength(5);
    expect((await c.delete('/api/transaction')).status).toBe(200);
    expect(JSON.stringify(node.state.committedConfig())).toBe(before);
  });
});
