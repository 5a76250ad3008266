/**
 * Every answer of a scripted tour through all operations (successes and the documented errors)
 * is checked against the bundled spec with Ajv: documented status, body valid for its schema.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDITOR, rawRequest, startTestSim, type ApiClient, type ApiResponse, type TestSim } from './helpers.js';
import { SpecChecker, specAvailable } from './spec-check.js';

const PGP = '-----BEGIN PGP PUBLIC KEY BLOCK-----\nmQGNBF3rnZ0BDADHdz5\n=j20J\n-----END PGP PUBLIC KEY BLOCK-----\n';

interface CallOpts {
  /** The concrete path when the template has parameters. */
  path?: string;
  body?: unknown;
  rawBody?: string;
}

describe.skipIf(!specAvailable())('simulator answers conform to generated/sps-api.json', () => {
  let t: TestSim;
  let spec: SpecChecker;
  const problems: string[] = [];

  /** Sends one request, checks the status, records the answer's conformance, returns it. */
  async function call(c: ApiClient, method: string, template: string, expected: number, opts: CallOpts = {}): Promise<ApiResponse> {
    const body = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
    // A POST without a body still carries Content-Length: 0 (undici's fetch adds it).
    const r = await c.raw(method, opts.path ?? template, body === undefined ? {} : { body });
    expect(r.status, `${method} ${opts.path ?? template}`).toBe(expected);
    problems.push(...spec.check(method, template, r.status, r.json));
    return r;
  }

  beforeAll(async () => {
    spec = new SpecChecker();
    t = await startTestSim({ nodes: 3 });
  });
  afterAll(async () => {
    await t.close();
  });

  it('covers navigation, configuration and transactions', async () => {
    const a = t.client(0);
    const b = t.client(0);
    const op = t.client(0);
    await call(a, 'GET', '/api', 401);
    // Operations without a session, once the spec documents them (issue 13).
    for (const p of ['/api/info', '/api/authentication/login_methods']) if (spec.has('GET', p)) await call(a, 'GET', p, 200);
    problems.push(...spec.check('GET', '/api/authentication', 401, (await a.login({ username: 'admin', password: 'nope' })).json));
    for (const [c, user] of [[a, undefined], [b, undefined], [op, AUDITOR]] as const) {
      const r = await c.login(user);
      expect(r.status).toBe(200);
      problems.push(...spec.check('GET', '/api/authentication', 200, r.json));
    }

    for (const p of [
      '/api',
      '/api/configuration',
      '/api/configuration/local_services',
      '/api/configuration/local_services/cluster',
      '/api/configuration/datetime',
      '/api/configuration/datetime/ntp_servers',
      '/api/configuration/datetime/timezone',
      '/api/configuration/management',
      '/api/configuration/management/system_backup',
      '/api/configuration/management/exported_configuration_encryption',
      '/api/configuration/policies',
      '/api/configuration/policies/backup_policies',
      '/api/configuration/network',
      '/api/configuration/network/nics',
      '/api/transaction',
      '/api/transaction/changes',
    ]) {
      await call(a, 'GET', p, 200);
    }
    const policies = (await a.get('/api/configuration/policies/backup_policies')).json.items as Array<{ key: string }>;
    const policy = policies[1]!.key;
    const POLICY = '/api/configuration/policies/backup_policies/{policyId}';
    await call(a, 'GET', POLICY, 200, { path: `/api/configuration/policies/backup_policies/${policy}` });
    await call(a, 'GET', POLICY, 404, { path: '/api/configuration/policies/backup_policies/unknown' });
    await call(a, 'GET', '/api/configuration/network/nics/{nicId}', 200, { path: '/api/configuration/network/nics/nic1' });
    await call(a, 'GET', '/api/configuration/network/nics/{nicId}', 404, { path: '/api/configuration/network/nics/nic9' });

    // Transactions and writes.
    const node = t.node(0);
    const noLength = await rawRequest(node.url, t.sim.caPem, [
      'POST /api/transaction HTTP/1.1',
      `Host: ${new URL(node.url).host}`,
      `Cookie: ${a.cookie}`,
      'Connection: close',
    ]);
    expect(noLength.status).toBe(411);
    problems.push(...spec.check('POST', '/api/transaction', 411, JSON.parse(noLength.body)));
    await call(a, 'POST', '/api/transaction', 200);
    await call(b, 'POST', '/api/transaction', 409);
    const TZ = '/api/configuration/datetime/timezone';
    const LS = '/api/configuration/local_services/cluster';
    const NTP = '/api/configuration/datetime/ntp_servers';
    const ENC = '/api/configuration/management/exported_configuration_encryption';
    await call(b, 'PUT', TZ, 409, { body: 'UTC' });
    const listen = (await a.get(LS)).json.body.listen_address.key as string;
    await call(a, 'PUT', LS, 200, { body: { enabled: true, listen_address: listen } });
    await call(a, 'PUT', LS, 400, { body: { enabled: true, listen_address: 'nic1.interfaces.x.addresses.y' } });
    await call(a, 'PUT', NTP, 200, { body: [{ selection: 'ip', value: '192.0.2.1' }] });
    await call(a, 'POST', NTP, 201, { body: { selection: 'fqdn', value: 'ntp.example.com' } });
    await call(a, 'POST', NTP, 400, { rawBody: '{' });
    await call(a, 'PUT', TZ, 200, { body: 'UTC' });
    await call(a, 'PUT', '/api/configuration/management/system_backup', 200, { body: { backup_policy: policy } });
    await call(a, 'PUT', ENC, 200, { body: { encryption: { enabled: true, gpg_public_key: { public_key: PGP } } } });
    for (const p of ['/api/transaction', '/api/transaction/changes', TZ, ENC]) await call(a, 'GET', p, 200);
    await call(a, 'PUT', '/api/transaction', 400, { body: { status: 'nope' } });
    await call(b, 'PUT', '/api/transaction', 409, { body: { status: 'commit' } });
    await call(a, 'DELETE', '/api/transaction', 200);
    await call(a, 'PUT', TZ, 200, { body: 'Europe/London' });
    await call(a, 'PUT', '/api/transaction', 200, { body: { status: 'commit', message: 'conformance tour' } });

    if (spec.has('GET', '/api/info')) await call(a, 'GET', '/api/info', 200);

    // Auditor: reads, never writes.
    await call(op, 'GET', '/api/cluster', 200);
    await call(op, 'PUT', TZ, 403, { body: 'UTC' });
    await call(op, 'POST', '/api/transaction', 403);
    await call(op, 'DELETE', '/api/transaction', 403);
  });

  it('covers the cluster operations', async () => {
    const [cm, n2, n3] = [t.client(0), t.client(1), t.client(2)];
    for (const c of [cm, n2, n3]) await c.login();
    const [id1, id2, id3] = t.sim.nodes.map((n) => n.nodeId);
    const cmAddress = t.node(0).address;
    const NODE = '/api/cluster/nodes/{nodeId}';
    const STATUS = '/api/cluster/status/{nodeId}';
    const commit = { body: { status: 'commit' } };
    await call(cm, 'GET', '/api/cluster', 200);
    await call(cm, 'GET', '/api/cluster/configuration_sync', 200);
    await call(n2, 'GET', '/api/cluster/join_request', 200);
    await call(cm, 'GET', '/api/cluster/status', 404);
    await call(cm, 'GET', '/api/cluster/nodes', 200);
    await call(cm, 'POST', '/api/cluster/promote', 201);
    await call(cm, 'PUT', '/api/transaction', 200, commit);
    await cm.login(); // the promote ended the node's sessions
    const j2 = (await call(n2, 'POST', '/api/cluster/join_request', 201, { body: { central_management_address: cmAddress } })).json.body;
    const j3 = (await call(n3, 'POST', '/api/cluster/join_request', 201, { body: { central_management_address: cmAddress } })).json.body;
    await call(n3, 'POST', '/api/cluster/join_request', 400, { body: {} });
    await call(n2, 'GET', '/api/cluster/join_request', 200);
    await call(cm, 'POST', '/api/cluster/nodes', 400, { body: { ...j2, psk: 'wrong' } });
    await call(cm, 'POST', '/api/cluster/nodes', 201, { body: j2 });
    await call(cm, 'POST', '/api/cluster/nodes', 201, { body: j3 });
    for (const c of [cm, n2, n3]) await call(c, 'PUT', '/api/transaction', 200, commit);
    await call(n3, 'GET', '/api/cluster/join_request', 200);
    await call(cm, 'GET', '/api/cluster/nodes', 200);
    await call(cm, 'GET', NODE, 200, { path: `/api/cluster/nodes/${id2}` });
    await call(cm, 'GET', NODE, 404, { path: '/api/cluster/nodes/00000000-0000-4000-8000-000000000000' });
    await call(cm, 'PUT', NODE, 200, { path: `/api/cluster/nodes/${id2}`, body: { address: j2.address, roles: ['managed-host', 'search-master'] } });
    await call(cm, 'PUT', NODE, 400, { path: `/api/cluster/nodes/${id3}`, body: { address: j3.address, roles: ['search-master'] } });
    await call(cm, 'GET', NODE, 200, { path: `/api/cluster/nodes/${id2}` });
    await call(cm, 'GET', '/api/transaction/changes', 200);
    await call(cm, 'GET', '/api/cluster/status', 200);
    await call(cm, 'GET', STATUS, 200, { path: `/api/cluster/status/${id1}` });
    await call(cm, 'GET', STATUS, 200, { path: `/api/cluster/status/${id3}` });
    await call(n2, 'GET', '/api/cluster/status', 404);
    await call(n2, 'GET', '/api/cluster/configuration_sync', 200);
  });

  it('gave only documented statuses with schema-valid bodies, and touched every operation', () => {
    expect(problems).toEqual([]);
    expect(spec.uncovered()).toEqual([]);
  });
});

describe.skipIf(!specAvailable())('the spec checker itself', () => {
  it('reports undocumented statuses and bodies that break the schema', () => {
    const spec = new SpecChecker();
    const TZ = '/api/configuration/datetime/timezone';
    expect(spec.check('GET', TZ, 200, { body: 'UTC', key: 'timezone', meta: { href: TZ } })).toEqual([]);
    expect(spec.check('GET', TZ, 200, { body: 42, key: 'timezone', meta: { href: 'x' } }).length).toBeGreaterThan(0);
    expect(spec.check('DELETE', '/api/transaction', 409, {})).toEqual(['DELETE /api/transaction: status 409 is not documented']);
    const badStatus = { items: [{ key: 'not-a-uuid', meta: { href: '/api/cluster/status/x' } }], meta: { href: '/api/cluster/status' } };
    expect(spec.check('GET', '/api/cluster/status', 200, badStatus).length).toBeGreaterThan(0);
  });
});
