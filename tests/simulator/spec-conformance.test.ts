/**
 * Every answer of a scripted tour through all operations (successes and the documented errors)
 * is checked against the bundled spec with Ajv: documented status, body valid for its schema.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { DEFAULT_SPS_VERSION } from '../../src/simulator/engine/spec.js';
import { buildSpecModel, DEFAULT_SPEC_FILE, readSpecDocument, type SpecModel } from '../../src/model/operations.js';
import { answerProblems, createValidator } from '../../src/model/validate.js';
import { versionView } from '../../src/model/versions.js';
import { AUDITOR, rawRequest, startTestSim, type ApiClient, type ApiResponse, type TestSim } from './helpers.js';

const PGP = '-----BEGIN PGP PUBLIC KEY BLOCK-----\nmQGNBF3rnZ0BDADHdz5\n=j20J\n-----END PGP PUBLIC KEY BLOCK-----\n';

interface CallOpts {
  /** The concrete path when the template has parameters. */
  path?: string;
  body?: unknown;
  rawBody?: string;
}

/**
 * The spec as the simulator's default SPS version documents it, each answer checked by the one
 * answer-checker (answerProblems, src/model/validate.ts), and the statuses seen per operation.
 */
function answerLog(): {
  model: SpecModel;
  check(method: string, template: string, status: number, body: unknown): string[];
  has(method: string, template: string): boolean;
  uncovered(): string[];
} {
  const model = buildSpecModel(versionView(readSpecDocument(DEFAULT_SPEC_FILE), DEFAULT_SPS_VERSION), DEFAULT_SPEC_FILE);
  const validator = createValidator(model);
  const seen = new Map<string, Set<number>>();
  const find = (method: string, template: string) => model.operations.find((o) => o.method === method.toUpperCase() && o.path === template);
  return {
    model,
    check(method, template, status, body) {
      const op = find(method, template);
      if (!op) throw new Error(`operation not in the spec: ${method} ${template}`);
      const key = `${op.method} ${op.path}`;
      seen.set(key, (seen.get(key) ?? new Set()).add(status));
      return answerProblems(validator, op, status, body);
    },
    has: (method, template) => find(method, template) !== undefined,
    /** Operations never answered with a success (2xx, or a documented 3xx). */
    uncovered: () => model.operations.map((o) => `${o.method} ${o.path}`).filter((key) => ![...(seen.get(key) ?? [])].some((s) => s >= 200 && s < 400)),
  };
}

describe.skipIf(!existsSync(DEFAULT_SPEC_FILE))('simulator answers conform to generated/sps-api.json', () => {
  let t: TestSim;
  let spec: ReturnType<typeof answerLog>;
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

  /** Fills a template's {params} from the listings one level up (the first key); undefined when one lists nothing. */
  async function fill(c: ApiClient, template: string, listings: Map<string, string[]>): Promise<string | undefined> {
    let path = '';
    for (const seg of template.split('/').slice(1)) {
      if (!seg.startsWith('{')) {
        path += `/${seg}`;
        continue;
      }
      let keys = listings.get(path);
      if (!keys) {
        const r = await c.get(path);
        keys = r.status === 200 && Array.isArray(r.json?.items) ? (r.json.items as Array<{ key: string }>).map((i) => i.key) : [];
        listings.set(path, keys);
      }
      if (keys.length === 0) return undefined;
      path += `/${encodeURIComponent(keys[0]!)}`;
    }
    return path;
  }

  /** Every GET template with one concrete path (ids from the list one level up). */
  async function concretePaths(c: ApiClient): Promise<Array<[string, string]>> {
    const out: Array<[string, string]> = [];
    const listings = new Map<string, string[]>();
    const gets = spec.model.operations
      .filter((o) => o.method === 'GET' && o.path !== '/api/authentication' && !o.path.startsWith('/api/cluster'))
      .sort((x, y) => x.path.split('/').length - y.path.split('/').length);
    for (const op of gets) {
      const path = await fill(c, op.path, listings);
      if (path !== undefined) out.push([op.path, path]);
    }
    return out;
  }

  beforeAll(async () => {
    spec = answerLog();
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
    for (const [c, user] of [
      [a, undefined],
      [b, undefined],
      [op, AUDITOR],
    ] as const) {
      const r = await c.login(user);
      expect(r.status).toBe(200);
      problems.push(...spec.check('GET', '/api/authentication', 200, r.json));
    }

    // Every documented GET, ids of {param} paths from the list one level up.
    for (const [template, path] of await concretePaths(a)) await call(a, 'GET', template, 200, { path });
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
    await call(a, 'PUT', LS, 400, { body: { enabled: 'yes', listen_address: listen } });
    await call(a, 'PUT', NTP, 200, { body: [{ selection: 'ip', value: '192.0.2.1' }] });
    await call(a, 'POST', NTP, 201, { body: { selection: 'fqdn', value: 'ntp.example.com' } });
    await call(a, 'POST', NTP, 400, { rawBody: '{' });
    await call(a, 'PUT', TZ, 200, { body: 'UTC' });
    const policy = ((await a.get('/api/configuration/policies/backup_policies')).json.items as Array<{ key: string }>)[0]!.key;
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

  it('writes every writable configuration path by its kind, inside a transaction it rolls back', async () => {
    const c = t.client(1);
    await c.login();
    const before = t.sim.nodes[1]!.state.committedConfig();
    const success = (method: string, template: string): number => {
      const op = spec.model.operations.find((o) => o.method === method && o.path === template)!;
      if (method === 'POST' && op.statuses.includes(201)) return 201;
      return op.statuses.find((st) => st >= 200 && st < 300) ?? op.statuses.find((st) => st >= 300 && st < 400) ?? 200;
    };
    const paths = new Map(await concretePaths(c));
    const bare = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(bare);
      if (v !== null && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        const keys = Object.keys(o).sort().join(',');
        if (keys === 'key,meta' && typeof o.key === 'string') return o.key;
        return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, bare(x)]));
      }
      return v;
    };
    const requestExample = (method: string, template: string): unknown => {
      const op = spec.model.operations.find((o) => o.method === method && o.path === template)!;
      const ex = op.requestBody?.examples ?? {};
      return 'default' in ex ? ex.default : Object.values(ex)[0];
    };
    for (const op of spec.model.operations) {
      if (!op.path.startsWith('/api/configuration') || op.method === 'GET') continue;
      const path = paths.get(op.path) ?? (op.method === 'POST' || op.method === 'PUT' ? paths.get(op.path) : undefined);
      if (op.kind === 'setting' && op.method === 'PUT' && path) {
        const current = (await c.get(path)).json.body;
        await call(c, 'PUT', op.path, success('PUT', op.path), { path, body: bare(current) });
      } else if (op.kind === 'setting' && op.method === 'POST' && path) {
        await call(c, 'POST', op.path, success('POST', op.path), { path, body: requestExample('POST', op.path) });
      } else if (op.kind === 'collection' && op.method === 'POST') {
        const list = paths.get(op.path);
        const items = list ? ((await c.get(list)).json?.items as Array<{ body: unknown }> | undefined) : undefined;
        const body = items?.[0]?.body !== undefined ? bare(items[0].body) : requestExample('POST', op.path);
        const created = await call(c, 'POST', op.path, success('POST', op.path), { path: list ?? op.path, body });
        const key = created.json.key as string;
        expect(key, op.path).toMatch(/\S/);
        const child = spec.model.operations.find(
          (o) => o.method === 'GET' && o.path.startsWith(`${op.path}/{`) && o.path.split('/').length === op.path.split('/').length + 1,
        );
        if (child) await call(c, 'GET', child.path, 200, { path: `${list ?? op.path}/${key}` });
        const del = spec.model.operations.find((o) => o.method === 'DELETE' && child && o.path === child.path);
        if (del) await call(c, 'DELETE', del.path, success('DELETE', del.path), { path: `${list ?? op.path}/${key}` });
      } else if (op.kind === 'object' && op.method === 'DELETE' && !spec.has('POST', op.path.slice(0, op.path.lastIndexOf('/')))) {
        // An object of a collection without create: the first listed one, in the rolled-back transaction.
        const target = await fill(c, op.path, new Map());
        if (target) await call(c, 'DELETE', op.path, success('DELETE', op.path), { path: target });
      } else if (op.kind === 'object' && op.method === 'PUT' && path) {
        const current = (await c.get(path)).json.body;
        await call(c, 'PUT', op.path, success('PUT', op.path), { path, body: bare(current) });
      }
    }
    // Every other documented write (actions, uploads, firmware): its documented answer; the
    // x-sps-never-send ones are counted apart.
    const node = t.sim.nodes[1]!;
    const neverBefore = Object.values(node.stats.neverSend).reduce((a, b) => a + b, 0);
    let neverSent = 0;
    const listings = new Map<string, string[]>();
    for (const op of spec.model.operations) {
      if (op.method === 'GET' || op.path.startsWith('/api/configuration') || op.path.startsWith('/api/transaction') || op.path.startsWith('/api/cluster'))
        continue;
      const path = (await fill(c, op.path, listings)) ?? op.path.replace(/\{[^}]+\}/g, 'x');
      const json = op.requestBody === undefined || /json/.test(op.requestBody.mediaType);
      const body = json ? requestExample(op.method, op.path) : undefined;
      const r = await c.raw(
        op.method,
        path,
        json
          ? body === undefined
            ? { headers: { 'content-length': '0' } }
            : { body: JSON.stringify(body) }
          : { body: 'binary upload', headers: { 'content-type': op.requestBody!.mediaType } },
      );
      expect(r.status, `${op.method} ${path}`).toBe(success(op.method, op.path));
      problems.push(...spec.check(op.method, op.path, r.status, r.json));
      if (op.neverSend !== undefined) neverSent++;
    }
    expect(Object.values(node.stats.neverSend).reduce((a, b) => a + b, 0) - neverBefore).toBe(neverSent);

    // A body that breaks the request schema: 400 InvalidRequestBody, from the one central check.
    const tz = await call(c, 'PUT', '/api/configuration/datetime/timezone', 400, { body: 42 });
    expect(tz.json.error.type).toBe('InvalidRequestBody');
    await call(c, 'DELETE', '/api/transaction', 200);
    expect(t.sim.nodes[1]!.state.committedConfig()).toEqual(before);
  });

  it('gave only documented statuses with schema-valid bodies, and touched every operation', () => {
    expect(problems).toEqual([]);
    expect(spec.uncovered()).toEqual([]);
  });
});
