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
import { AUDIT_SESSION_IDS, beyondContractSecrets } from '../../src/simulator/handlers/beyond_contract.js';
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
  const rows = servedRoutes(loadSimSpec({}, DEFAULT_SPS_VERSION), { beyondContract: true });
  const keysOf = (template: string): string[] => {
    const row = rows.find((r) => r.path === template);
    const keys = row?.keys ? row.keys(state) : template === '/api/cluster/nodes/{nodeId}' ? [n.nodeId] : [];
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
  for (const r of rows) for (const p of expand(r.path)) out.set(p, r.beyond !== true);
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
      expect(n.stats.byMethod).toEqual({ GET: expected.size });
      expect(got.requests).toBe(expected.size);
      const byPath = new Map(got.endpoints.map((e: any) => [e.path, e]));
      expect(byPath.get('/api/configuration/aaa/radius')).toMatchObject({ status: 403, in_spec: false });
      expect(byPath.get('/api/troubleshooting/core_dumps')).toMatchObject({ status: 500, in_spec: false });
      expect(byPath.get('/api/setup')).toMatchObject({ status: 200, shape: 'object', in_spec: false });
      expect(byPath.get('/api/audit/sessions')).toMatchObject({ shape: 'list', in_spec: false });
      expect(got.collections).toEqual(
        expect.arrayContaining([{ path: '/api/audit/sessions', listed: AUDIT_SESSION_IDS.length, sampled: AUDIT_SESSION_IDS.slice(0, SAMPLE).map((id) => `/api/audit/sessions/${id}`) }]),
      );
      const download = got.endpoints.find((e: any) => e.path.endsWith('/download'));
      expect(download).toMatchObject({ status: 200, content_type: 'application/zip', body_skipped: 'not-json', template: '/api/troubleshooting/support-bundle/{supportBundleId}/download' });
      expect(byPath.get('/api/configuration/datetime/timezone')).toMatchObject({ in_spec: true, operationId: 'getTimezone' });
      expect(byPath.get('/api/cluster/promote')).toMatchObject({ status: 405, in_spec: true });
    });
    // The 500 in the middle is reported, and the crawl went on (everything above was found).
    expect(res.stderr).toMatch(/node2: 1 endpoint\(s\) answered a server error, the crawl went on: GET \/api\/troubleshooting\/core_dumps 500/);
    expect(report.differences).toEqual([]);

    // The simulator did hand the secrets out (to an admin, who may read the 403 one too)...
    const n1 = sim.nodes[0]!;
    const agent = new Agent({ connect: { ca: sim.caPem! } });
    const login = await request(`${n1.url}/api/authentication`, { dispatcher: agent, headers: { authorization: `Basic ${Buffer.from(`admin:${sim.users.admin.password}`).toString('base64')}` } });
    await login.body.text();
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const seen: string[] = [];
    for (const p of ['/api/configuration/management/email', '/api/cluster/spp', '/api/starling/join', '/api/configuration/aaa/local_database', '/api/configuration/network/naming', `/api/audit/sessions/${AUDIT_SESSION_IDS[0]}`]) {
      const r = await request(`${n1.url}${p}`, { dispatcher: agent, headers: { cookie } });
      seen.push(await r.body.text());
    }
    await agent.close();
    const handedOut = seen.join('\n').replace(/\\n/g, '\n');
    for (const s of secretsOf(n1).filter((x) => !x.startsWith('-----'))) expect(handedOut, s).toContain(s);
    expect(handedOut).toContain('BEGIN CERTIFICATE');

    // ...and none of them reached the console, the reports or the drafts.
    const texts = [res.stdout, res.stderr, ...allFiles(reportDir).map((f) => readFileSync(f, 'utf8')), ...allFiles(draftDir).map((f) => readFileSync(f, 'utf8'))];
    const secrets = sim.nodes.flatMap(secretsOf).flatMap((s) => s.split('\n')).filter((s) => s.length >= 8 && !s.startsWith('-----'));
    for (const s of [...secrets, sim.users.auditor!.password]) for (const t of texts) expect(t.includes(s), `secret ${s.slice(0, 8)}…`).toBe(false);

    // The drafts, moved into a copy of openapi/, pass the spec's lint and example validation.
    const drafts = allFiles(draftDir);
    expect(drafts.some((f) => f.endsWith('management/email.yaml'))).toBe(true);
    expect(drafts.some((f) => f.endsWith('troubleshooting/support-bundle_{supportBundleId}_download.yaml'))).toBe(true);
    const { rootDoc, lint, bundle } = adoptDrafts(draftDir, tmp('disc-sim-repo-'));
    expect(lint.problems).toEqual([]);
    expect(lint.totals).toMatchObject({ errors: 0, warnings: 0 });
    const bundled = bundle();
    expect(bundled.status, bundled.stderr).toBe(0);
    expect(bundled.doc.paths['/api/audit/sessions/{sessionId}/audit_trail'].get['x-sps-source']).toEqual({ kind: 'observed', version: '7.5.1', node: 'node1' });
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
});
