/**
 * `discover` end to end against the simulator with what a real node serves beyond the contract
 * (`startSimulator({ beyondContract: true })`). The expected endpoints come from the
 * simulator's route table, never from the crawl's output.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverMain } from '../../src/discover/cli.js';
import { specGetPaths } from '../../src/discover/run.js';
import { loadSpec } from '../../src/model/operations.js';
import { AUDIT_SESSION_IDS, beyondContractSecrets, listBeyondDirectory } from '../../src/simulator/handlers/beyond-contract.js';
import { startSimulator, type SimNode, type SimulatorHandle } from '../../src/simulator/index.js';
import { servedRoutes } from '../../src/simulator/routes/table.js';
import { DEFAULT_SPS_VERSION, loadSimSpec } from '../../src/simulator/engine/spec.js';
import { formatProblems, validateExamples } from '../spec/lib.js';
import { adoptDrafts, allFiles } from './adopt-drafts.js';

const SAMPLE = 3;
const dirs: string[] = [];
const tmp = (prefix: string): string => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function discover(sim: SimulatorHandle, args: string[], nodes: SimNode[] = sim.nodes) {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (c: Buffer) => (stdout += c.toString()));
  err.on('data', (c: Buffer) => (stderr += c.toString()));
  const urls = nodes.flatMap((n) => ['--url', n.url]);
  const code = await discoverMain([...urls, '--username', 'auditor', '--ca', sim.caFile!, ...args], {
    env: { SPS_PASSWORD: sim.users.auditor!.password },
    stdout: out,
    stderr: err,
  });
  return { code, stdout, stderr };
}

/**
 * Every path node `n` serves under /api, from the route table (rows of every method: a POST-only
 * path such as /api/cluster/promote is listed, and its GET answers 405): literal rows, and each
 * `{param}` row expanded with the keys its parent lists (a row's `keys`, or for the cluster
 * nodes the node itself). Collections of objects by id are sampled (the first SAMPLE of the
 * listing); the large directory of named settings is walked whole. Rows below a path that
 * answers 404 on a node outside a cluster (/api/cluster/status/{nodeId}) have no keys.
 * `/api/transaction/changes` is linked only from the status of an open transaction, which a
 * read-only crawl never opens: the crawl asks it anyway, as one of the spec's own GET paths.
 * Maps each path to whether its row is in the contract.
 */
function expectedEndpoints(n: SimNode): Map<string, boolean> {
  const state = n.state.committedConfig();
  const spec = loadSimSpec({}, DEFAULT_SPS_VERSION);
  const all = servedRoutes(spec, { beyondContract: true });
  const gets = new Set(all.filter((r) => r.method === 'GET').map((r) => r.path));
  // What a crawl of GETs can reach: a path whose every parent answers a GET.
  const reachable = (p: string): boolean => {
    for (let q = p.slice(0, p.lastIndexOf('/')); q.length > 0; q = q.slice(0, q.lastIndexOf('/'))) {
      if (!gets.has(q) && !all.some((r) => r.method === 'GET' && r.path.replace(/\{[^}]+\}/g, '{}') === q.replace(/\{[^}]+\}/g, '{}'))) return false;
    }
    return true;
  };
  // Every method's path is requested once by the crawl (an action answers 405); `@order` paths
  // (linked only from `meta.order`) are not crawled today: a known gap, see the CHANGELOG.
  const rows = all.filter((r) => reachable(r.path) && !r.path.includes('/@'));
  /** The keys a listing answered by its spec example names (sessions, firmware jobs, ...). */
  const exampleKeys = (listing: string): string[] => {
    const op = spec.operation('GET', listing);
    const ex = op?.responses.find((x) => x.status === '200')?.json?.examples ?? {};
    const v = ('default' in ex ? ex.default : Object.values(ex)[0]) as { items?: Array<{ key?: unknown }> } | undefined;
    return (v?.items ?? []).map((i) => i.key).filter((k): k is string => typeof k === 'string');
  };
  const keysOf = (template: string): string[] => {
    const row = rows.find((r) => r.path === template);
    const parent = template.slice(0, template.lastIndexOf('/'));
    const listing = rows.find((r) => r.method === 'GET' && r.path === parent);
    const keys = row?.keys
      ? row.keys(state)
      : template === '/api/cluster/nodes/{nodeId}'
        ? [n.nodeId]
        : listing && listing.beyond !== true && !template.startsWith('/api/cluster')
          ? exampleKeys(parent)
          : [];
    const walkedWhole = template === '/api/configuration/reporting/{settingName}';
    return [...keys].sort().slice(0, walkedWhole ? undefined : SAMPLE);
  };
  const expand = (template: string): string[] => {
    const segs = template.split('/');
    let paths = [''];
    segs.slice(1).forEach((seg, i) => {
      const prefix = segs.slice(0, i + 2).join('/');
      const values = seg.startsWith('{') ? keysOf(prefix) : [seg];
      paths = paths.flatMap((p) => values.map((v) => `${p}/${v}`));
    });
    return paths;
  };
  const out = new Map<string, boolean>();
  const shape = (p: string): string => p.replace(/\{[^}]+\}/g, '{}');
  // The beyond-contract list of audit sessions names its sessions only, not the spec's literal
  // paths beside them (`_snapshot`): a crawl cannot reach those.
  // Generally: a beyond-contract answer that is no directory listing (local_database, the
  // sessions) links none of the spec's paths below it.
  const opaque = all.filter((r) => r.beyond === true && r.fn !== listBeyondDirectory).map((r) => shape(r.path));
  const unlinked = (r: (typeof rows)[number]): boolean => {
    if (r.beyond === true) return false;
    if (!r.path.endsWith('}') && r.path.slice(0, r.path.lastIndexOf('/')) === '/api/audit/sessions') return true;
    return opaque.some((o) => shape(r.path).startsWith(`${o}/`));
  };
  // In the spec: the path's template is documented (the spec has grown over some beyond rows).
  const documented = new Set(loadSimSpec({}, DEFAULT_SPS_VERSION).model.pathTemplates.map(shape));
  for (const r of all) {
    if (unlinked(r) || r.path.includes('/@')) continue;
    if (reachable(r.path)) {
      for (const p of expand(r.path)) out.set(p, documented.has(shape(r.path)));
      continue;
    }
    // Listed by its parent but answering no GET (e.g. /api/upload): requested once, 404.
    const segs = r.path.split('/');
    for (let i = 2; i < segs.length; i++) {
      const q = segs.slice(0, i + 1).join('/');
      if (!reachable(q) || q.includes('{')) break;
      if (!gets.has(q)) {
        for (const p of expand(q)) out.set(p, documented.has(shape(q)));
        break;
      }
    }
  }
  // The spec's own GET paths no directory of the spec lists (specGetPaths, e.g. /api/plugin/integrity
  // below the unserved /api/plugin): asked besides the links, an endpoint where the node serves them.
  for (const p of specGetPaths(spec.model)) if (gets.has(p) && !out.has(p)) out.set(p, documented.has(shape(p)));
  return out;
}

/** The secret values node `n` hands out: they must reach no report, no draft, no console line. */
function secretsOf(n: SimNode): string[] {
  return Object.values(beyondContractSecrets(n.index)).map((s) => s.trim());
}

describe('discover against a 3-node simulator serving beyond the contract', () => {
  let sim: SimulatorHandle;
  beforeAll(async () => {
    sim = await startSimulator({ nodes: 3, beyondContract: true, firmwareVersion: '7.5.1' });
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('finds every endpoint, classifies it, logs in once per node, sends only GETs, and its drafts adopt cleanly without secrets', async () => {
    for (const n of sim.nodes) n.resetStats();
    const reportDir = tmp('disc-sim-report-');
    const draftDir = tmp('disc-sim-drafts-');
    const res = await discover(sim, ['--report-dir', reportDir, '--draft-dir', draftDir]);
    expect(res.stderr).not.toMatch(/could not run/);
    expect(res.code).toBe(0);

    const report = JSON.parse(readFileSync(join(reportDir, 'discovery.json'), 'utf8'));
    expect(report.nodes).toHaveLength(3);
    sim.nodes.forEach((n, i) => {
      const expected = expectedEndpoints(n);
      const got = report.nodes[i];
      expect(got.version).toBe('7.5.1');
      // The spec's own GET paths are asked even where no directory links to them.
      expect(got.spec_not_listed).not.toContain('/api/transaction/changes');
      expect(got.endpoints.find((e: any) => e.path === '/api/transaction/changes')).toMatchObject({ in_spec: true });
      expect(got.endpoints.map((e: any) => e.path).sort()).toEqual([...expected.keys()].sort());
      for (const e of got.endpoints) expect(e.in_spec, e.path).toBe(expected.get(e.path));
      // One login, nothing but GETs (the login is a GET too), one request per endpoint.
      expect(n.stats.logins).toBe(1);
      // Besides: the spec's own GET paths the node does not serve, asked once each (a 404, no
      // endpoint): /api/authentication/types, documented before 7.0 only, on this 7.5.1 node.
      const servedGets = new Set(
        servedRoutes(loadSimSpec({}, DEFAULT_SPS_VERSION), { beyondContract: true })
          .filter((r) => r.method === 'GET')
          .map((r) => r.path),
      );
      const unserved = specGetPaths(loadSpec()).filter((p) => !servedGets.has(p));
      expect(unserved).toContain('/api/authentication/types');
      expect(got.endpoints.some((e: any) => unserved.includes(e.path))).toBe(false);
      expect(n.stats.byMethod).toEqual({ GET: expected.size + unserved.length });
      expect(got.requests).toBe(expected.size + unserved.length);
      const byPath = new Map(got.endpoints.map((e: any) => [e.path, e]));
      expect(byPath.get('/api/configuration/aaa/radius')).toMatchObject({ status: 403, in_spec: false });
      expect(byPath.get('/api/troubleshooting/core_dumps')).toMatchObject({ status: 500, in_spec: false });
      expect(byPath.get('/api/setup')).toMatchObject({ status: 200, shape: 'object', in_spec: expected.get('/api/setup') });
      expect(byPath.get('/api/audit/sessions')).toMatchObject({ shape: 'list', in_spec: expected.get('/api/audit/sessions') });
      expect(got.collections).toEqual(
        expect.arrayContaining([
          {
            path: '/api/audit/sessions',
            listed: AUDIT_SESSION_IDS.length,
            sampled: AUDIT_SESSION_IDS.slice(0, SAMPLE).map((id) => `/api/audit/sessions/${id}`),
          },
        ]),
      );
      const download = got.endpoints.find((e: any) => e.path.endsWith('/download'));
      expect(download).toMatchObject({
        status: 200,
        content_type: 'application/zip',
        body_skipped: 'not-json',
        template: '/api/troubleshooting/support-bundle/{supportBundleId}/download',
      });
      expect(byPath.get('/api/configuration/datetime/timezone')).toMatchObject({ in_spec: true, operationId: 'getTimezone' });
      expect(byPath.get('/api/cluster/promote')).toMatchObject({ status: 405, in_spec: true });
    });
    // The 500 in the middle is reported, and the crawl went on (everything above was found).
    expect(res.stderr).toMatch(/node2: 1 endpoint\(s\) answered a server error, the crawl went on: GET \/api\/troubleshooting\/core_dumps 500/);
    expect(report.differences).toEqual([]);

    // The simulator did hand the secrets out (to an admin, who may read the 403 one too)...
    const n1 = sim.nodes[0]!;
    const agent = new Agent({ connect: { ca: sim.caPem! } });
    const login = await request(`${n1.url}/api/authentication`, {
      dispatcher: agent,
      headers: { authorization: `Basic ${Buffer.from(`admin:${sim.users.admin.password}`).toString('base64')}` },
    });
    await login.body.text();
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const seen: string[] = [];
    for (const p of [
      '/api/configuration/management/email',
      '/api/cluster/spp',
      '/api/starling/join',
      '/api/configuration/aaa/local_database',
      '/api/configuration/network/naming',
      `/api/audit/sessions/${AUDIT_SESSION_IDS[0]}`,
    ]) {
      const r = await request(`${n1.url}${p}`, { dispatcher: agent, headers: { cookie } });
      seen.push(await r.body.text());
    }
    await agent.close();
    const handedOut = seen.join('\n').replace(/\\n/g, '\n');
    for (const s of secretsOf(n1).filter((x) => !x.startsWith('-----'))) expect(handedOut, s).toContain(s);
    expect(handedOut).toContain('BEGIN CERTIFICATE');

    // ...and none of them reached the console, the reports or the drafts.
    const texts = [
      res.stdout,
      res.stderr,
      ...allFiles(reportDir).map((f) => readFileSync(f, 'utf8')),
      ...allFiles(draftDir).map((f) => readFileSync(f, 'utf8')),
    ];
    const secrets = sim.nodes
      .flatMap(secretsOf)
      .flatMap((s) => s.split('\n'))
      .filter((s) => s.length >= 8 && !s.startsWith('-----'));
    for (const s of [...secrets, sim.users.auditor!.password]) for (const t of texts) expect(t.includes(s), `secret ${s.slice(0, 8)}…`).toBe(false);

    // The drafts, moved into a copy of openapi/, pass the spec's lint and example validation.
    const drafts = allFiles(draftDir);
    // A draft for each crawled path the spec does not document (the spec has grown over some).
    const documentedPath = (p: string): boolean =>
      loadSimSpec({}, DEFAULT_SPS_VERSION).model.pathTemplates.some((t) => t.replace(/\{[^}]+\}/g, '{}') === p.replace(/\{[^}]+\}/g, '{}'));
    if (!documentedPath('/api/configuration/management/email')) expect(drafts.some((f) => f.endsWith('management/email.yaml'))).toBe(true);
    if (!documentedPath('/api/troubleshooting/support-bundle/{x}/download')) {
      expect(drafts.some((f) => f.endsWith('troubleshooting/support-bundle_{supportBundleId}_download.yaml'))).toBe(true);
    }
    const { rootDoc, lint, bundle } = adoptDrafts(draftDir, tmp('disc-sim-repo-'));
    expect(lint.problems).toEqual([]);
    expect(lint.totals).toMatchObject({ errors: 0, warnings: 0 });
    const bundled = bundle();
    expect(bundled.status, bundled.stderr).toBe(0);
    if (!documentedPath('/api/audit/sessions/{x}/audit_trail')) {
      expect(bundled.doc.paths['/api/audit/sessions/{sessionId}/audit_trail'].get['x-sps-source']).toEqual({
        kind: 'observed',
        version: '7.5.1',
        node: 'node1',
      });
    }
    expect(formatProblems(validateExamples(bundled.doc, rootDoc))).toBe('');
  }, 120_000);

  it('a node that goes away mid-crawl: exit 2, a message naming it, the other nodes complete', async () => {
    let count = 0;
    const dying: SimulatorHandle = await startSimulator({
      nodes: 3,
      beyondContract: true,
      onRequestLog: (line) => {
        if (line.startsWith('[node2] ') && ++count === 10) dying.nodes[1]!.injectFault('*', { kind: 'reset' });
      },
    });
    try {
      const reportDir = tmp('disc-sim-report-');
      const res = await discover(dying, ['--report-dir', reportDir]);
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(/node2 \(https:\/\/127\.0\.0\.1:\d+\): node went away: 3 requests in a row got no HTTP answer/);
      const report = JSON.parse(readFileSync(join(reportDir, 'discovery.json'), 'utf8'));
      expect(report.exit_code).toBe(2);
      expect(report.nodes[1].endpoints.filter((e: any) => e.status !== 0).length).toBe(10);
      expect(report.nodes[0].fatal).toBeUndefined();
      expect(report.nodes[0].endpoints.length).toBe(expectedEndpoints(dying.nodes[0]!).size);
      expect(report.nodes[2].endpoints.length).toBe(expectedEndpoints(dying.nodes[2]!).size);
    } finally {
      await dying.close();
    }
  }, 60_000);

  it('stops at --max-requests with a report and a clear message', async () => {
    const n = sim.nodes[0]!;
    n.resetStats();
    const reportDir = tmp('disc-sim-report-');
    const res = await discover(sim, ['--report-dir', reportDir, '--max-requests', '15'], [n]);
    expect(res.code).toBe(0);
    expect(n.stats.requests).toBe(15);
    expect(res.stderr).toMatch(/node1: --max-requests 15 reached with \d+ paths not fetched: the report is incomplete \(raise --max-requests\)/);
    const report = JSON.parse(readFileSync(join(reportDir, 'discovery.json'), 'utf8'));
    expect(report.nodes[0].endpoints).toHaveLength(15);
    expect(report.nodes[0].bound_hit).toBeGreaterThan(0);
  });

  it('a failed login is exit 2 and nothing but the login is sent; the password is in no output', async () => {
    const n = sim.nodes[0]!;
    n.resetStats();
    const reportDir = tmp('disc-sim-report-');
    const out = new PassThrough();
    const err = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    err.on('data', (c: Buffer) => (text += c.toString()));
    const code = await discoverMain(['--url', n.url, '--username', 'auditor', '--ca', sim.caFile!, '--report-dir', reportDir], {
      env: { SPS_PASSWORD: 'wrong-password-123' },
      stdout: out,
      stderr: err,
    });
    expect(code).toBe(2);
    expect(text).toMatch(/login failed: GET \/api\/authentication answered 401/);
    expect(n.stats.requests).toBe(1);
    expect(n.stats.failedLogins).toEqual({ auditor: 1 });
    expect(text + readFileSync(join(reportDir, 'discovery.json'), 'utf8')).not.toContain('wrong-password-123');
  });

  it('HTTPS: a node it cannot verify (no --ca) is exit 2, and nothing reaches it', async () => {
    const n = sim.nodes[0]!;
    n.resetStats();
    const err = new PassThrough();
    let stderr = '';
    err.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await discoverMain(['--url', n.url, '--username', 'auditor', '--report-dir', tmp('disc-sim-report-')], {
      env: { SPS_PASSWORD: sim.users.auditor!.password },
      stdout: new PassThrough(),
      stderr: err,
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/node unreachable: TLS certificate verification failed/);
    expect(n.stats.requests).toBe(0);
  });

  it('an unreachable node is exit 2', async () => {
    const gone = await startSimulator({ nodes: 1 });
    const url = gone.nodes[0]!.url;
    await gone.close();
    const err = new PassThrough();
    let stderr = '';
    err.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await discoverMain(['--url', url, '--username', 'auditor', '--report-dir', tmp('disc-sim-report-')], {
      env: { SPS_PASSWORD: 'unused' },
      stdout: new PassThrough(),
      stderr: err,
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/node unreachable: connection failed \(ECONNREFUSED\)/);
  });
});
